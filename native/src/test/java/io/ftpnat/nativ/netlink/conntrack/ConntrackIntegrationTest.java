package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** ctnetlink against the real kernel in a throw-away namespace; conntrack-tools is the oracle. */
class ConntrackIntegrationTest {
    private static NetnsLab lab;
    private static String ns;
    private static NetworkNamespace netns;
    private static ConntrackClient client;

    private static final String ENTRIES = """
            -I -s 10.1.0.1 -d 10.2.0.1 -p tcp --sport 40000 --dport 21 --state ESTABLISHED -t 300 -u SEEN_REPLY,ASSURED -m 7
            -I -s 10.1.0.2 -d 10.2.0.1 -p udp --sport 5000 --dport 53 -t 30 -m 0x10007
            -I -s 10.1.0.3 -d 10.2.0.9 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30
            -I -s 10.1.0.4 -d 10.2.0.1 -p tcp --sport 40001 --dport 80 --state SYN_SENT -t 120 --zone 5
            -I -s 10.1.0.5 -d 198.51.100.1 -p tcp --sport 40002 --dport 21 -r 198.51.100.1 -q 192.0.2.7 --reply-port-src 21 --reply-port-dst 40002 --state ESTABLISHED -t 200 -u SEEN_REPLY
            -I -s fd00::1 -d fd00::2 -p tcp --sport 1234 --dport 80 --state SYN_SENT -t 120 --zone 3
            -I -s fd00::1 -d fd00:0:0:1::2 -p udp --sport 1235 --dport 53 -t 60 -m 7
            -I -s fd00::1 -d fd00::3 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 9 -t 30
            """;

    @BeforeAll
    static void setUp() throws Exception {
        NetnsLab.assumeRootLab();
        lab = new NetnsLab();
        ns = lab.newNamespace("ct");
        Path f = Files.createTempFile("ct", ".txt");
        Files.writeString(f, ENTRIES);
        NetnsLab.exec(ns, "conntrack", "-R", f.toString());
        Files.delete(f);
        netns = NetworkNamespace.enter(ns);
        client = ConntrackClient.open(netns);
    }

    @AfterAll
    static void tearDown() {
        if (client != null) {
            client.close();
        }
        if (netns != null) {
            netns.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void dumpMatchesConntrackToolsFieldByField() throws Exception {
        Map<Long, Oracle.Flow> oracle = Oracle.flows(ns);
        List<Conntrack> ours = client.list(ConntrackFilter.all());
        assertThat(ours).hasSize(8).hasSameSizeAs(oracle.values());
        for (Conntrack ct : ours) {
            Oracle.Flow o = oracle.get(ct.id());
            assertThat(o).as("oracle has id %d (%s)", ct.id(), ct).isNotNull();
            assertThat(ct.original()).isEqualTo(o.original());
            assertThat(ct.reply()).isEqualTo(o.reply());
            assertThat(ct.tcpState() == null ? null : ct.tcpState().name()).isEqualTo(o.state());
            assertThat(ct.mark()).isEqualTo(o.mark());
            assertThat(ct.zone()).isEqualTo(o.zone());
            assertThat(ct.use()).isEqualTo(o.use());
            assertThat(ct.timeout()).isBetween(o.timeout() - 2, o.timeout() + 2);
            assertThat(ct.has(Status.ASSURED)).isEqualTo(o.assured());
            assertThat(!ct.has(Status.SEEN_REPLY)).isEqualTo(o.unreplied());
            assertThat(ct.helper()).isEqualTo(o.helper());
            assertThat(ct.family()).isEqualTo(ct.original().family());
        }
    }

    @Test
    void filtersByFamilyZoneAndMark() throws Exception {
        assertThat(client.list(ConntrackFilter.all().ipv4())).hasSize(5).allMatch(c -> c.family() == 2);
        assertThat(client.list(ConntrackFilter.all().ipv6())).hasSize(3).allMatch(c -> c.family() == 10);
        assertThat(client.list(ConntrackFilter.all().zone(5))).singleElement()
                .satisfies(c -> assertThat(c.original().dstPort()).isEqualTo(80));
        assertThat(client.list(ConntrackFilter.all().mark(7))).hasSize(2);
        assertThat(client.list(ConntrackFilter.all().mark(7, 0xffff))).hasSize(3);
        assertThat(client.list(ConntrackFilter.all().ipv6().mark(7))).singleElement()
                .satisfies(c -> assertThat(c.original().protocol()).isEqualTo(Tuple.UDP));
        // oracle agrees on the mark filter
        assertThat(Oracle.flows(ns, "-m", "7")).hasSize(2);
    }

    @Test
    void natIsVisibleInTheReplyTuple() throws Exception {
        Conntrack ct = client.get(Tuple.tcp("10.1.0.5", 40002, "198.51.100.1", 21)).orElseThrow();
        assertThat(ct.reply()).isEqualTo(Tuple.tcp("198.51.100.1", 21, "192.0.2.7", 40002));
        assertThat(ct.tcpState()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void getByReplyTupleFindsTheSameEntry() throws Exception {
        Conntrack byOrig = client.get(Tuple.tcp("10.1.0.1", 40000, "10.2.0.1", 21)).orElseThrow();
        assertThat(byOrig.mark()).isEqualTo(7);
        assertThat(client.get(Tuple.tcp("10.9.9.9", 1, "10.2.0.1", 21))).isEmpty();
    }

    @Test
    void updateMarkThenDelete() throws Exception {
        Tuple t = Tuple.udp("fd00::1", 1235, "fd00:0:0:1::2", 53);
        client.updateMark(t, 0, 0xfeedbeef);
        assertThat(client.get(t).orElseThrow().mark()).isEqualTo(0xfeedbeef);
        assertThat(NetnsLab.exec(ns, "conntrack", "-L", "-m", String.valueOf(0xfeedbeefL))).contains("dport=53");
        client.updateMark(t, 0, 7);
        Tuple gone = Tuple.tcp("10.1.0.4", 40001, "10.2.0.1", 80);
        client.delete(gone, 5);
        assertThat(client.get(gone, 5)).isEmpty();
        assertThatThrownBy(() -> client.delete(gone, 5))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("ENOENT (2)")
                .hasMessageContaining("delete conntrack tcp 10.1.0.4:40001 -> 10.2.0.1:80")
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT));
        NetnsLab.exec(ns, "conntrack", "-I", "-s", "10.1.0.4", "-d", "10.2.0.1", "-p", "tcp", "--sport", "40001",
                "--dport", "80", "--state", "SYN_SENT", "-t", "120", "--zone", "5");
    }

    @Test
    void streamingDumpDeliversEachEntryOnce() throws Exception {
        Map<Long, Integer> seen = new HashMap<>();
        long n = client.dump(ConntrackFilter.all(), ct -> seen.merge(ct.id(), 1, Integer::sum));
        assertThat(n).isEqualTo(seen.size());
        assertThat(seen.values()).allMatch(v -> v == 1);
    }
}
