package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** Entries made by real traffic, with accounting on: counters compared with conntrack-tools. */
class TrafficIntegrationTest {
    @Test
    void realConnectionsWithCountersMatchTheOracle() throws Exception {
        NetnsLab.assumeRootLab();
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/nft")), "needs nft");
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("traffic");
            NetnsLab.exec(ns, "sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1");
            // a namespace tracks connections only once a rule needs conntrack
            NetnsLab.exec(ns, "nft", "add table inet t; add chain inet t out { type filter hook output priority 0; }; "
                    + "add rule inet t out ct state new counter");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns); ConntrackClient client = ConntrackClient.open(netns)) {
                NetnsLab.exec(ns, "python3", "-c", """
                        import socket
                        srv = socket.socket(); srv.bind(("127.0.0.1", 7000)); srv.listen(1)
                        c = socket.create_connection(("127.0.0.1", 7000)); a, _ = srv.accept()
                        c.sendall(b"x" * 3000); n = 0
                        while n < 3000: n += len(a.recv(4096))
                        a.sendall(b"y" * 10); c.recv(10)
                        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::1", 7001))
                        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"hello", ("::1", 7001)); u.recvfrom(10)
                        c.close(); a.close()
                        """);
                Map<Long, Oracle.Flow> oracle = Oracle.flows(ns);
                List<Conntrack> ours = client.list(ConntrackFilter.all());
                assertThat(ours).hasSameSizeAs(oracle.values()).isNotEmpty();
                for (Conntrack ct : ours) {
                    Oracle.Flow o = oracle.get(ct.id());
                    assertThat(o).as("oracle has %s", ct).isNotNull();
                    assertThat(ct.original()).isEqualTo(o.original());
                    assertThat(ct.reply()).isEqualTo(o.reply());
                    assertThat(ct.originalCounters()).as("orig counters of %s", ct).isEqualTo(o.orig());
                    assertThat(ct.replyCounters()).as("reply counters of %s", ct).isEqualTo(o.repl());
                    assertThat(ct.has(Status.ASSURED)).isEqualTo(o.assured());
                }
                Conntrack tcp = ours.stream().filter(c -> c.original().dstPort() == 7000).findFirst().orElseThrow();
                assertThat(tcp.originalCounters().bytes()).isGreaterThan(3000);
                assertThat(tcp.tcpState()).isIn(TcpState.TIME_WAIT, TcpState.CLOSE, TcpState.FIN_WAIT, TcpState.LAST_ACK,
                        TcpState.CLOSE_WAIT);
                Conntrack udp6 = ours.stream().filter(c -> c.original().dstPort() == 7001).findFirst().orElseThrow();
                assertThat(udp6.family()).isEqualTo(10);
                assertThat(udp6.originalCounters().packets()).isEqualTo(1);
            }
        }
    }
}
