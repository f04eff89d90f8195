package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * The kernel filters the daemon's event socket. One namespace whose output chain attaches the ftp
 * helper to port 21 (as ftpnat's ruleset does): unrelated connections to port 8080, an FTP control
 * connection, an expectation and the data connection it lets in. A second, unfiltered listener
 * (what conntrackd or {@code conntrack -E} see) proves the kernel still generated every event.
 */
class FtpEventFilterIntegrationTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private static String lab(NetnsLab lab, String tag) throws Exception {
        String ns = lab.newNamespace(tag);
        NetnsLab.exec(ns, "nft", "add table inet lab; add ct helper inet lab ftp { type \"ftp\" protocol tcp; l3proto inet; }; "
                + "add chain inet lab out { type filter hook output priority 0; }; add rule inet lab out tcp dport 21 ct helper set \"ftp\"");
        return ns;
    }

    /** Events received until the socket stays quiet for 300 ms (bounded). */
    private static List<Object> drain(ConntrackEvents ev, boolean[] lost) throws Exception {
        List<Object> got = new ArrayList<>();
        EventHandler h = new EventHandler() {
            @Override
            public void onConntrack(ConntrackEvent e) {
                got.add(e);
            }

            @Override
            public void onExpectation(ExpectationEvent e) {
                got.add(e);
            }

            @Override
            public void onEventsLost() {
                lost[0] = true;
            }
        };
        for (int i = 0; i < 100_000 && ev.poll(h, 300) >= 0; i++) {
            // keep reading
        }
        return got;
    }

    private static long toPort(List<Object> events, int port) {
        return events.stream().filter(o -> o instanceof ConntrackEvent e && e.conntrack().original().dstPort() == port).count();
    }

    private static void churn(NetworkNamespace netns, int port, int connections) throws Exception {
        netns.call(() -> {
            try (ServerSocket srv = new ServerSocket(port, 64, LO)) {
                for (int i = 0; i < connections; i++) {
                    try (Socket c = new Socket(LO, port); Socket a = srv.accept()) {
                        a.getOutputStream().write(1);
                        c.getInputStream().read();
                    }
                }
            }
            return null;
        });
    }

    @Test
    void unrelatedConnectionsAreNotDeliveredFtpOnesAre() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab(lab, "bpf");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 ConntrackEvents everything = ConntrackEvents.subscribe(netns, ConntrackEvents.ALL, 8 << 20);
                 ConntrackEvents ftp = ConntrackEvents.subscribe(netns.openNetlink(KernelTransport.NETLINK_NETFILTER),
                         ConntrackEvents.ALL, 8 << 20, FtpEventFilter.program());
                 ConntrackClient client = ConntrackClient.open(netns)) {
                assertThat(ftp.kernelFiltered()).isTrue();
                churn(netns, 8080, 50); // the rest of the router's traffic
                // an FTP control connection, an expectation for its data connection, the data connection
                Socket[] control = netns.call(() -> {
                    ServerSocket srv = new ServerSocket(21, 4, LO);
                    Socket c = new Socket(LO, 21);
                    return new Socket[] {c, srv.accept(), null};
                });
                Tuple master = Tuple.tcp("127.0.0.1", control[0].getLocalPort(), "127.0.0.1", 21);
                client.createExpectation(Expectation.create(master, Tuple.tcp("127.0.0.1", 0, "127.0.0.1", 2020), 300).withHelper("ftp"));
                netns.call(() -> {
                    try (ServerSocket srv = new ServerSocket(2020, 4, LO); Socket c = new Socket(LO, 2020); Socket a = srv.accept()) {
                        a.getOutputStream().write(1);
                        c.getInputStream().read();
                    }
                    return null;
                });
                client.delete(master, 0); // the control connection's DESTROY (no helper, no master in it)

                boolean[] lost = {false, false};
                List<Object> all = drain(everything, lost);
                List<Object> seen = drain(ftp, new boolean[1]);
                assertThat(toPort(all, 8080)).as("the kernel generated the unrelated events").isGreaterThanOrEqualTo(100);
                assertThat(toPort(seen, 8080)).as("none reached the filtered socket").isZero();
                assertThat(seen).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(ConntrackEvent.class, e -> {
                    assertThat(e.type()).isEqualTo(ConntrackEvent.Type.NEW);
                    assertThat(e.conntrack().original()).isEqualTo(master);
                    assertThat(e.conntrack().helper()).isEqualTo("ftp");
                }));
                assertThat(seen).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(ExpectationEvent.class,
                        e -> assertThat(e.expectation().master()).isEqualTo(master)));
                assertThat(seen).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(ConntrackEvent.class, e -> {
                    assertThat(e.conntrack().original().dstPort()).isEqualTo(2020);
                    assertThat(e.conntrack().master()).isEqualTo(master);
                }));
                assertThat(seen).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(ConntrackEvent.class, e -> {
                    assertThat(e.type()).isEqualTo(ConntrackEvent.Type.DESTROY);
                    assertThat(e.conntrack().original()).isEqualTo(master);
                }));
                assertThat(seen.size()).as("filtered vs all").isLessThan(all.size() / 4);

                // the FTP-scoped dump: the kernel filters by status, nothing unrelated comes back
                List<Conntrack> dumped = new ArrayList<>();
                FtpScope.dump(client, dumped::add);
                assertThat(dumped).extracting(c -> c.original().dstPort()).containsOnly(2020);
                long inTable = client.list(ConntrackFilter.all()).stream().filter(c -> c.original().dstPort() == 8080).count();
                assertThat(inTable).isGreaterThanOrEqualTo(50);
                // the kernel itself filtered (Linux 6.0+): count the messages of a raw status-filtered dump
                var conn = client.connection();
                var w = conn.request(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, Cta.IPCTNL_MSG_CT_GET), 0, 0, 0);
                w.be32(Cta.CTA_STATUS, Status.EXPECTED.mask());
                w.be32(Cta.CTA_STATUS_MASK, Status.EXPECTED.mask());
                int[] messages = {0};
                conn.dump("raw status dump", (b, type, flags, payload, end) -> messages[0]++);
                assertThat(messages[0]).as("entries the kernel sent for a status-filtered dump").isEqualTo(1);
                for (Socket s : control) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }

    /**
     * Loss is still noticed and repaired: a tiny receive buffer, nothing read while 2,000
     * unrelated connections come and go (no loss: the filter rejects them before the queue), then
     * while 60 FTP control connections open (loss: ENOBUFS is reported), and the FTP-scoped
     * resync dump returns every one of the 60.
     */
    @Test
    void lossIsReportedAndTheFtpDumpRecoversEverySession() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab(lab, "bpfloss");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 ConntrackEvents ftp = ConntrackEvents.subscribe(netns.openNetlink(KernelTransport.NETLINK_NETFILTER),
                         ConntrackEvents.ALL, 4096, FtpEventFilter.program());
                 ConntrackClient client = ConntrackClient.open(netns)) {
                churn(netns, 8080, 2000);
                boolean[] lost = {false};
                assertThat(drain(ftp, lost)).isEmpty();
                assertThat(lost[0]).as("unrelated traffic cannot overflow a filtered socket").isFalse();

                List<Socket> open = netns.call(() -> {
                    List<Socket> s = new ArrayList<>();
                    try (ServerSocket srv = new ServerSocket(21, 128, LO)) {
                        for (int i = 0; i < 60; i++) {
                            s.add(new Socket(LO, 21));
                            s.add(srv.accept());
                        }
                    }
                    return s;
                });
                try {
                    drain(ftp, lost);
                    assertThat(lost[0]).as("ENOBUFS reported").isTrue();
                    assertThat(ftp.lostCount()).isPositive();
                    List<Conntrack> resync = new ArrayList<>();
                    FtpScope.dump(client, resync::add);
                    assertThat(resync).filteredOn(c -> c.original().dstPort() == 21 && "ftp".equals(c.helper())).hasSize(60);
                    assertThat(resync).noneMatch(c -> c.original().dstPort() == 8080);
                } finally {
                    for (Socket s : open) {
                        s.close();
                    }
                }
            }
        }
    }

    /**
     * ftpnatd's session model creates an expectation itself (a repair) while its monitor listens:
     * with the model's socket ignored, that expectation's events never reach the monitor; the
     * same expectation made by another socket (conntrackd putting in a peer's, {@code conntrack -I})
     * still does, and so does the model's once it is no longer ignored.
     */
    @Test
    void theDaemonsOwnExpectationsDoNotReachItsMonitorOthersDo() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab(lab, "own");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 ConntrackClient own = ConntrackClient.open(netns);
                 ConntrackClient other = ConntrackClient.open(netns);
                 ConntrackEvents ftp = ConntrackEvents.subscribe(netns.openNetlink(KernelTransport.NETLINK_NETFILTER),
                         ConntrackEvents.ALL, 8 << 20, FtpEventFilter.program(own.portId()))) {
                assertThat(ftp.kernelFiltered()).isTrue();
                Socket[] control = netns.call(() -> {
                    ServerSocket srv = new ServerSocket(21, 4, LO);
                    Socket c = new Socket(LO, 21);
                    return new Socket[] {c, srv.accept()};
                });
                Tuple master = Tuple.tcp("127.0.0.1", control[0].getLocalPort(), "127.0.0.1", 21);
                drain(ftp, new boolean[1]); // the control connection's own events
                Tuple data = Tuple.tcp("127.0.0.1", 0, "127.0.0.1", 2020);
                own.createExpectation(Expectation.create(master, data, 300).withHelper("ftp"));
                own.deleteExpectation(data, 0);
                assertThat(drain(ftp, new boolean[1])).as("the model's own create and delete").isEmpty();

                other.createExpectation(Expectation.create(master, data, 300).withHelper("ftp"));
                assertThat(drain(ftp, new boolean[1])).as("another process's expectation")
                        .anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(ExpectationEvent.class,
                                e -> assertThat(e.expectation().master()).isEqualTo(master)));
                other.deleteExpectation(data, 0);
                drain(ftp, new boolean[1]);

                assertThat(ftp.refilter(FtpEventFilter.program())).isTrue();
                own.createExpectation(Expectation.create(master, data, 300).withHelper("ftp"));
                assertThat(drain(ftp, new boolean[1])).as("heard again once no longer ignored")
                        .anySatisfy(o -> assertThat(o).isInstanceOf(ExpectationEvent.class));
                for (Socket s : control) {
                    s.close();
                }
            }
        }
    }
}
