package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** Conntrack events from the real kernel, including overflow (ENOBUFS) and resync by dump. */
class EventsIntegrationTest {
    private static NetnsLab lab;
    private static String ns;
    private static NetworkNamespace netns;

    @BeforeAll
    static void setUp() throws Exception {
        NetnsLab.assumeRootLab();
        lab = new NetnsLab();
        ns = lab.newNamespace("ev");
        netns = NetworkNamespace.enter(ns);
    }

    @AfterAll
    static void tearDown() {
        if (netns != null) {
            netns.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** Collects events until {@code done} says so or 5 s pass. */
    static final class Collector implements EventHandler {
        final List<ConntrackEvent> events = new ArrayList<>();
        int lost;

        @Override
        public void onConntrack(ConntrackEvent e) {
            events.add(e);
        }

        @Override
        public void onEventsLost() {
            lost++;
        }

        void drain(ConntrackEvents ev, java.util.function.BooleanSupplier done) throws NetlinkException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!done.getAsBoolean() && System.nanoTime() < deadline) {
                ev.poll(this, 100);
            }
        }
    }

    @Test
    void newUpdateDestroyArriveWithTheirFields() throws Exception {
        try (ConntrackEvents ev = ConntrackEvents.subscribe(netns, ConntrackEvents.ALL, 1 << 20)) {
            NetnsLab.exec(ns, "conntrack", "-I", "-s", "10.5.0.1", "-d", "10.5.0.2", "-p", "tcp", "--sport", "1000", "--dport", "21",
                    "--state", "ESTABLISHED", "-t", "100", "-u", "SEEN_REPLY", "-m", "3");
            NetnsLab.exec(ns, "conntrack", "-U", "-s", "10.5.0.1", "-d", "10.5.0.2", "-p", "tcp", "--sport", "1000", "--dport", "21", "-m", "4");
            NetnsLab.exec(ns, "conntrack", "-D", "-s", "10.5.0.1", "-d", "10.5.0.2", "-p", "tcp", "--sport", "1000", "--dport", "21");
            Collector c = new Collector();
            c.drain(ev, () -> c.events.stream().anyMatch(e -> e.type() == ConntrackEvent.Type.DESTROY));
            Tuple t = Tuple.tcp("10.5.0.1", 1000, "10.5.0.2", 21);
            assertThat(c.events).extracting(ConntrackEvent::type)
                    .containsExactly(ConntrackEvent.Type.NEW, ConntrackEvent.Type.UPDATE, ConntrackEvent.Type.DESTROY);
            assertThat(c.events).allSatisfy(e -> assertThat(e.conntrack().original()).isEqualTo(t));
            assertThat(c.events.get(0).conntrack().mark()).isEqualTo(3);
            assertThat(c.events.get(0).conntrack().tcpState()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.events.get(1).conntrack().mark()).isEqualTo(4);
            assertThat(c.lost).isZero();
        }
    }

    @Test
    void anOverflowIsReportedAndAResyncDumpRecoversEveryEntry() throws Exception {
        int n = 3000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("-I -s 10.6.").append(i / 250).append('.').append(1 + i % 250)
                    .append(" -d 10.7.0.1 -p udp --sport 4000 --dport 53 -t 120\n");
        }
        Path f = Files.createTempFile("ev", ".txt");
        Files.writeString(f, sb);
        try (ConntrackEvents ev = ConntrackEvents.subscribe(netns, java.util.EnumSet.of(ConntrackEvents.Group.NEW), 4096);
             ConntrackClient client = ConntrackClient.open(netns)) {
            // nobody reads while 3000 entries are born: the small buffer overflows
            NetnsLab.exec(ns, "conntrack", "-R", f.toString());
            Set<Tuple> seen = new HashSet<>();
            boolean[] lost = new boolean[1];
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent e) {
                    seen.add(e.conntrack().original());
                }

                @Override
                public void onEventsLost() {
                    lost[0] = true;
                }
            };
            while (ev.poll(h, 200) >= 0) {
                // drain what is queued
            }
            assertThat(lost[0]).as("ENOBUFS reported").isTrue();
            assertThat(ev.lostCount()).isPositive();
            int fromEvents = seen.size();
            assertThat(fromEvents).isLessThan(n);
            // resync, as conntrackd does: dump and merge
            client.dump(ConntrackFilter.all().ipv4(), ct -> seen.add(ct.original()));
            assertThat(seen).hasSize(n);
        } finally {
            Files.delete(f);
            NetnsLab.exec(ns, "conntrack", "-F");
        }
    }
}
