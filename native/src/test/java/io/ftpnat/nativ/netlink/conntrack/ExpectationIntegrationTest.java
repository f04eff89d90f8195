package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * Expectations against the real kernel: a real FTP session (ftplib client, vsftpd server) in a
 * namespace on loopback addresses, with nf_conntrack_ftp attached by an nft {@code ct helper} rule.
 * The helper's expectations are seen by dump and by events; the ones we create are listed by
 * {@code conntrack -L expect}, match the data connection (which then shows our master) and vanish
 * when used. conntrack-tools is the oracle.
 */
class ExpectationIntegrationTest {
    private static final String CLIENT = "192.0.2.1";
    private static final String SERVER = "192.0.2.2";
    private static final String CLIENT6 = "fd00:db8::1";
    private static final String SERVER6 = "fd00:db8::2";
    private static NetnsLab lab;
    private static String ns;
    private static NetworkNamespace netns;
    private static ConntrackClient client;
    private static ConntrackEvents events;
    private static final List<Object> EVENTS = new CopyOnWriteArrayList<>();
    private static Thread reader;
    private static volatile boolean stop;

    private Session session;

    @BeforeAll
    static void setUp() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/vsftpd")), "needs vsftpd");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        lab = new NetnsLab();
        ns = lab.newNamespace("exp");
        NetnsLab.sh("ip", "-n", ns, "addr", "add", CLIENT + "/32", "dev", "lo");
        NetnsLab.sh("ip", "-n", ns, "addr", "add", SERVER + "/32", "dev", "lo");
        NetnsLab.sh("ip", "-n", ns, "addr", "add", CLIENT6 + "/128", "dev", "lo", "nodad");
        NetnsLab.sh("ip", "-n", ns, "addr", "add", SERVER6 + "/128", "dev", "lo", "nodad");
        Path nft = Files.createTempFile("ftpnat-nl", ".nft");
        Files.writeString(nft, """
                table inet lab {
                  ct helper ftp { type "ftp" protocol tcp; l3proto inet; }
                  chain out { type filter hook output priority 0; tcp dport 21 ct helper set "ftp"; }
                }
                """);
        NetnsLab.exec(ns, "nft", "-f", nft.toString());
        Files.delete(nft);
        startVsftpd(false);
        startVsftpd(true);

        netns = NetworkNamespace.enter(ns);
        // subscribe first, then dump: with nf_conntrack_events=2 only connections born while a
        // listener exists carry events
        events = ConntrackEvents.subscribe(netns, ConntrackEvents.ALL, 1 << 20);
        client = ConntrackClient.open(netns);
        reader = new Thread(() -> {
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent e) {
                    EVENTS.add(e);
                }

                @Override
                public void onExpectation(ExpectationEvent e) {
                    EVENTS.add(e);
                }
            };
            while (!stop) {
                try {
                    events.poll(h, 100);
                } catch (NetlinkException e) {
                    EVENTS.add(e);
                }
            }
        }, "events");
        reader.start();
    }

    private static void startVsftpd(boolean v6) throws Exception {
        Path base = Files.createTempDirectory("ftpnat-nl-vsftpd");
        Path pub = Files.createDirectories(base.resolve("pub"));
        Path empty = Files.createDirectories(base.resolve("empty"));
        Files.writeString(pub.resolve("hello.txt"), "hello\n");
        Path conf = base.resolve("vsftpd.conf");
        Files.writeString(conf, """
                %s
                background=NO
                anonymous_enable=YES
                no_anon_password=YES
                anon_root=%s
                local_enable=NO
                write_enable=NO
                pasv_enable=YES
                pasv_min_port=45100
                pasv_max_port=45200
                secure_chroot_dir=%s
                seccomp_sandbox=NO
                isolate_network=NO
                syslog_enable=NO
                """.formatted(v6 ? "listen=NO\nlisten_ipv6=YES\nlisten_address6=" + SERVER6 : "listen=YES\nlisten_address=" + SERVER,
                pub, empty));
        lab.spawn(ns, "/usr/sbin/vsftpd", conf.toString());
        for (int i = 0; i < 50; i++) {
            if (NetnsLab.exec(ns, "ss", "-ltn").contains(v6 ? "[" + SERVER6 + "]:21" : SERVER + ":21")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("vsftpd did not start listening");
    }

    @AfterAll
    static void tearDown() throws Exception {
        stop = true;
        if (reader != null) {
            reader.join(2000);
        }
        if (events != null) {
            events.close();
        }
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

    @BeforeEach
    void openSession() throws Exception {
        session = new Session();
    }

    @AfterEach
    void closeSession() {
        if (session != null) {
            session.close();
        }
    }

    /** The ftplib client process in the namespace, driven over stdin/stdout with bounded waits. */
    static final class Session implements AutoCloseable {
        final Process p;
        final Writer in;
        final BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        final int controlPort;
        final String client;
        final String server;

        Session() throws Exception {
            this(CLIENT, SERVER);
        }

        Session(String client, String server) throws Exception {
            this.client = client;
            this.server = server;
            p = new ProcessBuilder("ip", "netns", "exec", ns, "python3", script(), client, server)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII);
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.offer(l);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            });
            t.setDaemon(true);
            t.start();
            controlPort = Integer.parseInt(expect("ctl"));
        }

        static String script() throws IOException {
            Path s = Files.createTempFile("ftp_session", ".py");
            try (var res = ExpectationIntegrationTest.class.getResourceAsStream("/netlink/ftp_session.py")) {
                Files.write(s, res.readAllBytes());
            }
            s.toFile().deleteOnExit();
            return s.toString();
        }

        String send(String cmd, String reply) throws Exception {
            in.write(cmd + "\n");
            in.flush();
            return expect(reply);
        }

        String expect(String word) throws Exception {
            String l = lines.poll(10, TimeUnit.SECONDS);
            if (l == null || !l.startsWith(word)) {
                throw new AssertionError("ftp session: expected '" + word + "', got " + l);
            }
            return l.substring(word.length()).trim();
        }

        Tuple control() {
            return Tuple.tcp(client, controlPort, server, 21);
        }

        @Override
        public void close() {
            try {
                in.write("quit\n");
                in.flush();
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    private static List<Expectation> expectationsTo(int port) throws NetlinkException {
        List<Expectation> out = new ArrayList<>();
        client.dumpExpectations(0, e -> {
            if (e.tuple().dstPort() == port) {
                out.add(e);
            }
        });
        return out;
    }

    private static <T> T awaitEvent(Class<T> type, java.util.function.Predicate<T> p) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (Object o : EVENTS) {
                if (type.isInstance(o) && p.test(type.cast(o))) {
                    return type.cast(o);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such " + type.getSimpleName() + " among " + EVENTS);
    }

    @Test
    void theKernelHelpersExpectationIsSeenByDumpEventsAndConntrackTools() throws Exception {
        Conntrack master = client.get(session.control()).orElseThrow();
        assertThat(master.helper()).isEqualTo("ftp");
        int port = Integer.parseInt(session.send("pasv", "pasv"));

        List<Expectation> ours = expectationsTo(port);
        assertThat(ours).singleElement().satisfies(e -> {
            assertThat(e.master()).isEqualTo(session.control());
            assertThat(e.tuple()).isEqualTo(Tuple.tcp(CLIENT, 0, SERVER, port));
            assertThat(e.mask().src()).isEqualTo(IpAddress.V4_HOST_MASK);
            assertThat(e.mask().srcPort()).isZero();
            assertThat(e.helper()).isEqualTo("ftp");
            assertThat(e.timeout()).isBetween(290, 300);
        });
        // the oracle
        String xml = NetnsLab.exec(ns, "conntrack", "-L", "expect", "-o", "xml");
        assertThat(xml).contains("<expected><src>" + CLIENT + "</src><dst>" + SERVER + "</dst></expected>")
                .contains("<dport>" + port + "</dport>")
                .contains("<master><sport>" + session.controlPort + "</sport><dport>21</dport></master>")
                .contains("<helper-name>ftp</helper-name>");
        assertThat(client.getExpectation(Tuple.tcp(CLIENT, 0, SERVER, port), 0)).hasValueSatisfying(
                e -> assertThat(e.id()).isEqualTo(ours.get(0).id()));

        ExpectationEvent created = awaitEvent(ExpectationEvent.class,
                e -> e.type() == ExpectationEvent.Type.NEW && e.expectation().tuple().dstPort() == port);
        assertThat(created.expectation().master()).isEqualTo(session.control());

        // a whole passive LIST: expectation made, used by the data connection, destroyed
        session.send("list", "list");
        ConntrackEvent data = awaitEvent(ConntrackEvent.class, e -> e.type() == ConntrackEvent.Type.NEW
                && e.conntrack().master() != null && e.conntrack().original().dstPort() >= 45100);
        assertThat(data.conntrack().master()).isEqualTo(session.control());
        assertThat(data.conntrack().has(Status.EXPECTED)).isTrue();
        int dataPort = data.conntrack().original().dstPort();
        awaitEvent(ExpectationEvent.class, e -> e.type() == ExpectationEvent.Type.DESTROY && e.expectation().tuple().dstPort() == dataPort);
    }

    @Test
    void anExpectationWeCreateIsListedMatchesTheDataConnectionAndIsConsumed() throws Exception {
        Tuple master = session.control();
        int kernelPort = Integer.parseInt(session.send("pasv", "pasv"));
        assertThat(expectationsTo(kernelPort)).hasSize(1);

        Tuple expected = Tuple.tcp(CLIENT, 0, SERVER, 45999);
        client.createExpectation(Expectation.create(master, expected, 120).withHelper("ftp"));

        // listed by conntrack-tools, with our master
        String listed = NetnsLab.exec(ns, "conntrack", "-L", "expect");
        assertThat(listed).contains("dport=45999").contains("master-src=" + CLIENT)
                .contains("sport=" + session.controlPort + " dport=21");
        Expectation e = expectationsTo(45999).get(0);
        assertThat(e.master()).isEqualTo(master);
        assertThat(e.tuple()).isEqualTo(expected);
        assertThat(e.timeout()).as("the helper's policy sets the timeout, not our request").isBetween(290, 300);
        // ftp's max_expected is 1: ours evicted the helper's own expectation for the PASV port
        assertThat(expectationsTo(kernelPort)).isEmpty();

        // the data connection comes: it is RELATED to our master, and the expectation is used up
        session.send("listen " + SERVER + " 45999", "listening");
        int lport = Integer.parseInt(session.send("connect " + SERVER + " 45999", "connected"));
        Conntrack data = client.get(Tuple.tcp(CLIENT, lport, SERVER, 45999)).orElseThrow();
        assertThat(data.master()).isEqualTo(master);
        assertThat(data.has(Status.EXPECTED)).isTrue();
        assertThat(expectationsTo(45999)).isEmpty();
        assertThat(NetnsLab.exec(ns, "conntrack", "-L", "expect")).doesNotContain("dport=45999");
    }

    @Test
    void createAndDeleteWithNatAndExpectfn() throws Exception {
        Tuple master = session.control();
        Tuple expected = Tuple.tcp(CLIENT, 0, SERVER, 45998);
        Expectation e = Expectation.create(master, expected, 60)
                .withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, IpAddress.parse("198.51.100.7"), 50000));
        try {
            client.createExpectation(e);
        } catch (NetlinkException ex) {
            // nat-follow-master is registered by nf_nat; without it the kernel answers EINVAL
            assumeTrue(ex.errno() != Errno.EINVAL, "nf_nat (nat-follow-master) not loaded: " + ex.getMessage());
            throw ex;
        }
        Expectation got = expectationsTo(45998).get(0);
        assertThat(got.function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
        assertThat(got.nat().direction()).isEqualTo(Direction.REPLY);
        assertThat(got.nat().address()).isEqualTo(IpAddress.parse("198.51.100.7"));
        assertThat(got.nat().port()).isEqualTo(50000);

        assertThatThrownBy(() -> client.createExpectation(e))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("EEXIST (17)");
        client.deleteExpectation(expected, 0);
        assertThat(expectationsTo(45998)).isEmpty();
        assertThatThrownBy(() -> client.deleteExpectation(expected, 0))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("ENOENT (2)");
    }

    @Test
    void whatTheKernelRequiresOfAMaster() throws Exception {
        // a master without a helper: EOPNOTSUPP
        NetnsLab.exec(ns, "conntrack", "-I", "-s", CLIENT, "-d", SERVER, "-p", "tcp", "--sport", "33333", "--dport", "2121",
                "--state", "ESTABLISHED", "-t", "100", "-u", "SEEN_REPLY");
        Tuple noHelper = Tuple.tcp(CLIENT, 33333, SERVER, 2121);
        assertThatThrownBy(() -> client.createExpectation(Expectation.create(noHelper, Tuple.tcp(CLIENT, 0, SERVER, 45997), 60)))
                .isInstanceOf(NetlinkException.class)
                .satisfies(ex -> assertThat(((NetlinkException) ex).errno()).isEqualTo(Errno.EOPNOTSUPP));
        // no such master: ENOENT
        Tuple missing = Tuple.tcp(CLIENT, 1, SERVER, 21);
        assertThatThrownBy(() -> client.createExpectation(Expectation.create(missing, Tuple.tcp(CLIENT, 0, SERVER, 45996), 60)))
                .isInstanceOf(NetlinkException.class)
                .satisfies(ex -> assertThat(((NetlinkException) ex).errno()).isEqualTo(Errno.ENOENT));
        // an unknown expectfn: EINVAL
        assertThatThrownBy(() -> client.createExpectation(Expectation.create(session.control(), Tuple.tcp(CLIENT, 0, SERVER, 45995), 60)
                .withFunction("no-such-fn")))
                .isInstanceOf(NetlinkException.class)
                .satisfies(ex -> assertThat(((NetlinkException) ex).errno()).isEqualTo(Errno.EINVAL));
        client.delete(noHelper, 0);
    }

    @Test
    void ipv6EpsvExpectationsFromTheHelperAndFromUs() throws Exception {
        try (Session v6 = new Session(CLIENT6, SERVER6)) {
            Conntrack master = client.get(v6.control()).orElseThrow();
            assertThat(master.family()).isEqualTo(10);
            assertThat(master.helper()).isEqualTo("ftp");
            int port = Integer.parseInt(v6.send("epsv", "epsv"));
            assertThat(expectationsTo(port)).singleElement().satisfies(e -> {
                assertThat(e.family()).isEqualTo(10);
                assertThat(e.master()).isEqualTo(v6.control());
                assertThat(e.tuple()).isEqualTo(Tuple.tcp(CLIENT6, 0, SERVER6, port));
                assertThat(e.mask().src()).isEqualTo(IpAddress.V6_HOST_MASK);
            });
            assertThat(NetnsLab.exec(ns, "conntrack", "-L", "expect", "-f", "ipv6")).contains("dport=" + port);

            Tuple expected = Tuple.tcp(CLIENT6, 0, SERVER6, 45990);
            client.createExpectation(Expectation.create(v6.control(), expected, 60));
            assertThat(client.getExpectation(expected, 0)).hasValueSatisfying(e -> assertThat(e.master()).isEqualTo(v6.control()));
            v6.send("listen " + SERVER6 + " 45990", "listening");
            int lport = Integer.parseInt(v6.send("connect " + SERVER6 + " 45990", "connected"));
            Conntrack data = client.get(Tuple.tcp(CLIENT6, lport, SERVER6, 45990)).orElseThrow();
            assertThat(data.master()).isEqualTo(v6.control());
            assertThat(client.getExpectation(expected, 0)).isEmpty();
        }
    }
}
