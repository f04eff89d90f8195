package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** The monitor keeps a model equal to the kernel's table, through event loss (tiny buffer). */
class ConntrackMonitorIntegrationTest {

    /** A consumer's model, as docs/netlink.md describes it. */
    static final class Model implements ConntrackMonitor.Listener {
        final Map<Tuple, Conntrack> table = new ConcurrentHashMap<>();
        private Map<Tuple, Conntrack> next;
        volatile int lossSnapshots;

        @Override
        public void onSnapshotBegin(boolean afterLoss) {
            next = new HashMap<>();
            if (afterLoss) {
                lossSnapshots++;
            }
        }

        @Override
        public void onConntrack(Conntrack entry) {
            next.put(entry.original(), entry);
        }

        @Override
        public void onSnapshotEnd() {
            table.keySet().retainAll(next.keySet());
            table.putAll(next);
        }

        @Override
        public void onEvent(ConntrackEvent e) {
            if (e.type() == ConntrackEvent.Type.DESTROY) {
                table.remove(e.conntrack().original());
            } else {
                table.put(e.conntrack().original(), e.conntrack());
            }
        }
    }

    private static void await(BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 100 && !cond.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
    }

    @Test
    void theModelFollowsTheTableThroughLostEvents() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("mon");
            NetnsLab.exec(ns, "conntrack", "-I", "-s", "10.8.0.1", "-d", "10.8.0.2", "-p", "tcp", "--sport", "1", "--dport", "21",
                    "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY");
            int n = 3000;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append("-I -s 10.9.").append(i / 250).append('.').append(1 + i % 250)
                        .append(" -d 10.7.0.1 -p udp --sport 4000 --dport 53 -t 300\n");
            }
            Path f = Files.createTempFile("mon", ".txt");
            Files.writeString(f, sb);
            Model model = new Model();
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 ConntrackMonitor mon = ConntrackMonitor.start(netns, ConntrackEvents.ALL, 4096, model)) {
                await(() -> mon.snapshots() >= 1);
                assertThat(model.table).containsOnlyKeys(Tuple.tcp("10.8.0.1", 1, "10.8.0.2", 21));
                NetnsLab.exec(ns, "conntrack", "-R", f.toString());
                await(() -> model.table.size() == n + 1);
                assertThat(model.table.size()).isEqualTo(n + 1);
                assertThat(model.lossSnapshots).as("a 4 KiB buffer must have overflowed").isPositive();
                NetnsLab.exec(ns, "conntrack", "-D", "-p", "udp");
                await(() -> model.table.size() == 1);
                assertThat(model.table.size()).isEqualTo(1);
                assertThat(model.table).containsOnlyKeys(Tuple.tcp("10.8.0.1", 1, "10.8.0.2", 21));
            } finally {
                Files.delete(f);
            }
        }
    }
}
