package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session model against a fake kernel, in the reference lab's addresses: client 10.10.10.2
 * behind the router's masquerade (192.168.10.114), server 192.168.10.115. The observer's copies
 * are built by hand as the forward hook shows them (client and server real addresses).
 */
class SessionModelTest {
    static final String CLIENT = "10.10.10.2";
    static final String SERVER = "192.168.10.115";
    static final String ROUTER_OUT = "192.168.10.114";

    FakeConntrackKernel kernel;
    /** The model's time: moved by hand where a test waits for a grace period or a timeout. */
    ManualClock clock = new ManualClock();
    SessionModel model;
    Conntrack control;
    long clientSeq = 1000;
    long serverSeq = 5000;

    @BeforeEach
    void setUp() throws Exception {
        kernel = new FakeConntrackKernel();
        model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock);
        Tuple orig = Tuple.tcp(CLIENT, 40000, SERVER, 21);
        Tuple reply = Tuple.tcp(SERVER, 21, ROUTER_OUT, 40000);
        control = kernel.add(new Conntrack(2, orig, reply, Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(),
                TcpState.ESTABLISHED, 300, 0, 0, "ftp", null, null, null, -1, 1));
        model.onConntrack(control);
    }

    void client(String line) {
        byte[] p = Packets.v4(CLIENT, 40000, SERVER, 21, clientSeq, line);
        clientSeq += line.length();
        model.onPacket(p, micros());
    }

    void server(String line) {
        byte[] p = Packets.v4(SERVER, 21, CLIENT, 40000, serverSeq, line);
        serverSeq += line.length();
        model.onPacket(p, micros());
    }

    /** When the kernel saw the packet: now, on the model's clock. */
    long micros() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    void login() {
        server("220 lab\r\n");
        client("USER anonymous\r\n");
        server("331 ok\r\n");
        client("PASS secret\r\n");
        server("230 in\r\n");
    }

    SessionSnapshot view() {
        return model.session(Long.toString(control.id())).orElseThrow();
    }

    @Test
    void aForeign227AddressIsRepairedWithTheNatTheKernelWouldHaveApplied() {
        login();
        client("PASV\r\n");
        List<Integer> inKernelWhenRead = new java.util.ArrayList<>();
        model.onServerSegmentRead((id, seg) -> inKernelWhenRead.add(kernel.expectations().size()));
        server("227 Entering Passive Mode (198,51,100,9,156,64).\r\n");
        assertThat(inKernelWhenRead).as("a held 227 may go once read: its repair is in the kernel by then").containsExactly(1);

        List<Expectation> in = kernel.expectations();
        assertThat(in).hasSize(1);
        Expectation e = in.get(0);
        assertThat(e.master()).isEqualTo(control.original());
        assertThat(e.tuple()).as("what the client opens: the control connection's server, the advertised port")
                .isEqualTo(Tuple.tcp(CLIENT, 0, SERVER, 40000));
        assertThat(e.function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
        assertThat(e.nat().port()).isEqualTo(40000);
        assertThat(view().diagnosis()).anyMatch(d -> d.contains(
                "server advertised 198.51.100.9 in 227 but is 192.168.10.115; the kernel recorded no expectation") && d.contains("repaired"));
        assertThat(view().toString()).contains("PASS ****").doesNotContain("secret");
        assertThat(model.counters().repairs()).isEqualTo(1);

        Conntrack data = kernel.connect(Tuple.tcp(CLIENT, 50000, SERVER, 40000));
        assertThat(data.master()).isEqualTo(control.original());
        model.onConntrack(data);
        assertThat(view().channels().get(0).state()).isEqualTo(ObservedChannel.State.CONNECTED);
    }

    /**
     * A client reuses its port: a second control connection on the same four-tuple while the model
     * still holds the first (the kernel replaced its entry, in TIME_WAIT). The second one's copies
     * come before the conntrack events that end the first session and start the next. They are
     * not read into the first session (where they looked like a gap and the 227 was skipped): they
     * wait for the new session, which reads them and repairs its 227.
     */
    @Test
    void aClientThatReusesItsPortGetsANewSessionThatReadsItsOwnCopies() {
        login();
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,156,64).\r\n");
        assertThat(model.counters().repairs()).isEqualTo(1);

        clientSeq = 3_000_000_000L; // the new connection's own random starts
        serverSeq = 900_000_000L;
        login();
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,156,65).\r\n");
        assertThat(view().channels()).as("nothing of the new connection read into the first session").hasSize(1);
        assertThat(model.counters().gaps()).isZero();

        Conntrack next = kernel.add(new Conntrack(2, control.original(), control.reply(), control.status(), TcpState.ESTABLISHED, 300, 0, 0,
                "ftp", null, null, null, -1, 1)); // the kernel's new entry, a new id
        assertThat(next.id()).isNotEqualTo(control.id());
        model.onConntrackEvent(new io.ftpnat.nativ.netlink.conntrack.ConntrackEvent(io.ftpnat.nativ.netlink.conntrack.ConntrackEvent.Type.DESTROY, control));
        model.onConntrack(next);

        SessionSnapshot second = model.session(Long.toString(next.id())).orElseThrow();
        assertThat(second.repairs()).as("the new session read its 227 and repaired it").isEqualTo(1);
        assertThat(kernel.expectations()).anySatisfy(e -> assertThat(e.tuple().dstPort()).isEqualTo(156 * 256 + 65));
        assertThat(view().closed()).as("the first session ended with its entry").isTrue();
        assertThat(model.counters().repairs()).isEqualTo(2);
    }

    /** A held 227 (NFQUEUE) is read by the queue reader itself only once the model has read all before it, both ways. */
    @Test
    void aHeldReplyIsReadAtOnceOnlyWhenEverythingBeforeItWasRead() {
        login();
        byte[] pasv = Packets.v4(CLIENT, 40000, SERVER, 21, clientSeq, "PASV\r\n");
        String reply = "227 Entering Passive Mode (198,51,100,9,156,64).\r\n";
        byte[] held = withAck(Packets.v4(SERVER, 21, CLIENT, 40000, serverSeq, reply), clientSeq + 6);
        assertThat(model.readHeld(held)).as("the client's PASV (which it acknowledges) not read yet").isFalse();
        assertThat(kernel.expectations()).isEmpty();
        model.onPacket(pasv, micros());
        byte[] later = withAck(Packets.v4(SERVER, 21, CLIENT, 40000, serverSeq + 10, reply), clientSeq + 6);
        assertThat(model.readHeld(later)).as("server bytes before it not read").isFalse();
        assertThat(model.readHeld(held)).isTrue();
        assertThat(kernel.expectations()).as("repaired before its release").hasSize(1);
        model.onPacket(Packets.v4(SERVER, 21, CLIENT, 40000, serverSeq, reply), micros()); // its NFLOG copy
        assertThat(model.counters().repairs()).as("the copy is a retransmission to the dialogue").isEqualTo(1);
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("server advertised 198.51.100.9 in 227") && d.contains("repaired"));
    }

    /**
     * A fast client: its whole login and the 227 come before the daemon has read the control
     * connection's conntrack event. The copies wait; when the event comes they are read, the repair
     * is made, and the held reply is told it may go (not a retransmission 200 ms later).
     */
    @Test
    void aReplyReadFromCopiesThatCameBeforeItsConnectionIsStillAnnounced() {
        FakeConntrackKernel k = new FakeConntrackKernel();
        SessionModel m = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(k.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock);
        List<TcpSegment> announced = new java.util.ArrayList<>();
        m.onServerSegmentRead((id, seg) -> announced.add(seg));
        Tuple orig = Tuple.tcp(CLIENT, 40001, SERVER, 21);
        Conntrack c = k.add(new Conntrack(3, orig, Tuple.tcp(SERVER, 21, ROUTER_OUT, 40001), Status.CONFIRMED.mask()
                | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp", null, null, null, -1, 1));
        m.onPacket(Packets.v4(SERVER, 21, CLIENT, 40001, 7000, "220 lab\r\n"), micros());
        m.onPacket(Packets.v4(CLIENT, 40001, SERVER, 21, 100, "PASV\r\n"), micros());
        m.onPacket(Packets.v4(SERVER, 21, CLIENT, 40001, 7009, "227 Entering Passive Mode (198,51,100,9,156,64).\r\n"), micros());
        assertThat(announced).as("the connection is not known yet").isEmpty();

        m.onConntrack(c);
        assertThat(k.expectations()).as("repaired from the copies that waited").hasSize(1);
        assertThat(announced).extracting(TcpSegment::seq).as("both server segments read, the 227 among them").containsExactly(7000L, 7009L);
    }

    /**
     * A periodic reconcile's dump meets a new control connection before its conntrack event is read
     * (two threads). The copies that came before it (the login, the PASV) are read at the adoption,
     * as the event would have: the 227 that follows answers that PASV and is repaired, not refused
     * as unsolicited.
     */
    @Test
    void aConnectionTheReconcileAdoptsFirstStillReadsTheCopiesThatCameBeforeIt() throws Exception {
        FakeConntrackKernel k = new FakeConntrackKernel();
        SessionModel m = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(k.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock);
        k.add(new Conntrack(4, Tuple.tcp(CLIENT, 40002, SERVER, 21), Tuple.tcp(SERVER, 21, ROUTER_OUT, 40002), Status.CONFIRMED.mask()
                | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp", null, null, null, -1, 1));
        m.onPacket(Packets.v4(SERVER, 21, CLIENT, 40002, 7000, "220 lab\r\n"), micros());
        m.onPacket(Packets.v4(CLIENT, 40002, SERVER, 21, 100, "PASV\r\n"), micros());

        m.reconcile(false, false, true);
        m.onPacket(Packets.v4(SERVER, 21, CLIENT, 40002, 7009, "227 Entering Passive Mode (198,51,100,9,156,64).\r\n"), micros());

        assertThat(k.expectations()).as("the 227 answers the PASV read at the adoption: repaired").hasSize(1);
        assertThat(m.sessions().get(0).diagnosis()).noneMatch(d -> d.contains("unsolicited"));
    }

    private static byte[] withAck(byte[] v4, long ack) {
        java.nio.ByteBuffer.wrap(v4).putInt(28, (int) ack);
        return v4;
    }

    @Test
    void aClientThatTrustsTheForeignAddressIsFollowedThere() {
        java.util.List<String> watched = new java.util.ArrayList<>();
        model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(1024),
                (client, address, port, seconds) -> watched.add(client + " . " + address + " . " + port + " " + seconds + "s"));
        model.onConntrack(control);
        login();
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,156,64).\r\n");
        assertThat(watched).containsExactly("10.10.10.2 . 198.51.100.9 . 40000 300s");
        model.onConnectAttempt(Packets.v4(CLIENT, 50000, "198.51.100.9", 40000, 1, ""));
        assertThat(kernel.expectations()).singleElement().satisfies(e -> {
            assertThat(e.tuple()).isEqualTo(Tuple.tcp(CLIENT, 0, "198.51.100.9", 40000));
            assertThat(e.nat().port()).as("still translated to the server's port").isEqualTo(40000);
        });
        assertThat(model.counters().followedToAdvertised()).isEqualTo(1);
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("the client connected to 198.51.100.9 as the reply said"));
        model.onConnectAttempt(Packets.v4(CLIENT, 50000, "198.51.100.9", 40000, 1, ""));
        assertThat(model.counters().followedToAdvertised()).as("a retransmission changes nothing").isEqualTo(1);
        model.onConnectAttempt(Packets.v4(CLIENT, 50000, "198.51.100.10", 40000, 1, ""));
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dst()).isEqualTo(IpAddress.parse("198.51.100.9")));
    }

    @Test
    void lpsvIsRepairedAndAThirdPartyPortIsNot() {
        login();
        client("LPSV\r\n");
        server("228 Entering Long Passive Mode (4,4,192,168,10,115,2,156,65)\r\n");
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(40001));

        client("PORT 10,10,10,99,195,80\r\n");
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("PORT names 10.10.10.99 but the client is 10.10.10.2")
                && d.contains("FTP bounce"));
        assertThat(model.counters().refused()).isEqualTo(1);
        assertThat(kernel.expectations()).as("still only the LPSV channel's").singleElement()
                .satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(40001));
    }

    @Test
    void aPortSplitAcrossSegmentsIsDiagnosedForTheProxy() {
        login();
        client("PORT 10,10,10,2,");
        client("195,80\r\n");
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("a line split across segments") && d.contains("use mode: proxy"));
        assertThat(view().notes().toString()).contains("partial match): the kernel drops it");
        assertThat(kernel.expectations()).isEmpty();
    }

    @Test
    void aReplyThatIsNotTheFirstLineOfItsSegmentIsNotRepaired() {
        server("220-welcome\r\n220-to the lab\r\n220 ready\r\n");
        client("USER anonymous\r\nPASS x\r\nTYPE I\r\nPASV\r\n");
        server("331 ok\r\n230 in\r\n200 binary\r\n227 Entering Passive Mode (198,51,100,9,156,70)\r\n");
        assertThat(kernel.expectations()).as("the kernel reads only a segment's first line: no repair elsewhere").isEmpty();
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("227 not at the first byte of one TCP segment"));
        assertThat(view().dialogue().toString()).contains("< 220 ready").contains("> TYPE I").contains("< 200 binary")
                .contains("> PASS ****").doesNotContain("PASS x");
    }

    @Test
    void lowPortsAreNeverOpened() {
        login();
        server("227 Entering Passive Mode (198,51,100,9,0,22).\r\n");
        assertThat(kernel.expectations()).isEmpty();
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("port 22, below 1024"));
    }

    @Test
    void aPolicyWithRepairPrivilegedPortsLetsThePlannerOpenOne() {
        java.util.concurrent.atomic.AtomicInteger lowest = new java.util.concurrent.atomic.AtomicInteger(1024);
        model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(lowest::get),
                AdvertisedAddresses.NONE, clock);
        model.onConntrack(control);
        lowest.set(1); // as RunCommand does when the applied policy says repair_privileged_ports: true
        login();
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,0,22).\r\n");
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(22));
    }

    @Test
    void driftTheKernelsOwnExpectationIsRestoredAndAStrayIsRemoved() throws Exception {
        login();
        client("PASV\r\n");
        server("227 Entering Passive Mode (192,168,10,115,156,64).\r\n");
        assertThat(kernel.expectations()).as("the kernel helper's job (the fake has no helper)").isEmpty();
        clock.advance(SessionModel.KERNEL_GRACE.plusMillis(100));
        assertThat(model.reconcile(false, false).created()).as("ftpnatd never makes what the kernel did not").isZero();
        assertThat(kernel.expectations()).isEmpty();
        assertThat(view().diagnosis()).anyMatch(d -> d.contains(SessionModel.KERNEL_MADE_NONE));

        // the kernel's own (its helper's event), then drift: flushed behind the daemon's back
        Expectation own = Expectation.create(control.original(), Tuple.tcp(CLIENT, 0, SERVER, 40000), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        try (ConntrackClient flush = new ConntrackClient(kernel.transport())) {
            flush.deleteExpectation(own.tuple(), 0);
        }
        ReconcileReport r = model.reconcile(false, false);
        assertThat(r.created()).as("the kernel's own, restored").isEqualTo(1);
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple()).isEqualTo(Tuple.tcp(CLIENT, 0, SERVER, 40000)));

        // someone else's expectation on the master takes its only slot (max_expected 1)
        try (ConntrackClient other = new ConntrackClient(kernel.transport())) {
            other.createExpectation(Expectation.create(control.original(), Tuple.tcp(CLIENT, 0, SERVER, 41234), 300));
        }
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(41234));
        r = model.reconcile(false, false);
        assertThat(r.removed()).as("a just-made expectation is not judged yet: its line may still be on its way").isZero();
        assertThat(r.created()).isZero();
        kernel.ageExpectations(SessionModel.STRAY_MIN_AGE_SECONDS);
        r = model.reconcile(false, false);
        assertThat(r.removed()).isEqualTo(1);
        assertThat(r.created()).isEqualTo(1);
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(40000));
        assertThat(model.counters().driftStray()).isEqualTo(1);
        assertThat(model.counters().driftMissing()).isEqualTo(2);
    }

    @Test
    void aNewModelRecoversSessionsFromTheKernelAndRemovesOrphans() throws Exception {
        try (ConntrackClient c = new ConntrackClient(kernel.transport())) {
            c.createExpectation(Expectation.create(control.original(), Tuple.tcp(CLIENT, 0, SERVER, 45000), 300));
        }
        Tuple closingOrig = Tuple.tcp(CLIENT, 40001, SERVER, 21);
        Conntrack closing = kernel.add(new Conntrack(2, closingOrig, Tuple.tcp(SERVER, 21, ROUTER_OUT, 40001),
                Status.CONFIRMED.mask() | Status.SRC_NAT.mask(), TcpState.TIME_WAIT, 100, 0, 0, "ftp", null, null, null, -1, 1));
        try (ConntrackClient c = new ConntrackClient(kernel.transport())) {
            c.createExpectation(Expectation.create(closing.original(), Tuple.tcp(CLIENT, 0, SERVER, 45001), 300));
        }
        SessionModel fresh = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock);
        ReconcileReport r = fresh.reconcile(true, false);
        assertThat(r.adopted()).isEqualTo(2);
        assertThat(r.orphans()).isEqualTo(1);
        assertThat(fresh.counters().recovered()).isEqualTo(2);
        assertThat(kernel.expectations()).as("the live session's expectation is left alone")
                .singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(45000));
        assertThat(fresh.session(Long.toString(control.id())).orElseThrow().diagnosis())
                .anyMatch(d -> d.contains("recovered from the kernel tables"));
    }

    @Test
    void garbageNeverBreaksTheModel() {
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] p = new byte[random.nextInt(120)];
            random.nextBytes(p);
            if (p.length > 0 && random.nextBoolean()) {
                p[0] = 0x45;
            }
            model.onPacket(p, -1);
        }
        login();
        server("227 garbage (1,2,3)\r\n");
        server("\u00ff\u00fb\u0001230-multi\r\n230 end\r\n");
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("malformed 227"));
    }
}
