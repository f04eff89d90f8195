package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NAT slipstreaming and floods against the session model (issue #11), with the reference lab's
 * addresses and a fake kernel: an inside application made to send "...\r\nPORT victim\r\n" to a
 * control port gets no expectation from ftpnatd, however the command is placed; the kernel's own
 * expectations are still restored; a 227 flood is held to the repair budget; the table sheds.
 */
class SlipstreamingModelTest {
    static final String CLIENT = "10.10.10.2";
    static final String SERVER = "192.168.10.115";
    static final String SMUGGLED = "PORT 10,10,10,2,21,179"; // 10.10.10.2:5555

    FakeConntrackKernel kernel = new FakeConntrackKernel();
    /** The model's time (grace periods, the repair budget): moved by hand, never slept. */
    ManualClock clock = new ManualClock();
    SessionModel model;
    Conntrack control;
    long clientSeq = 1000;
    long serverSeq = 5000;
    int sport = 40000;

    @BeforeEach
    void setUp() {
        model = model(SessionModel.MAX_SESSIONS);
        control = open(sport);
    }

    SessionModel model(int maxSessions) {
        return new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock, new RepairBudget(clock), maxSessions);
    }

    Conntrack open(int port) {
        Conntrack c = kernel.add(new Conntrack(2, Tuple.tcp(CLIENT, port, SERVER, 21), Tuple.tcp(SERVER, 21, "192.168.10.114", port),
                Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
                null, null, null, -1, 1));
        model.onConntrack(c);
        return c;
    }

    void client(String bytes) {
        model.onPacket(Packets.v4(CLIENT, sport, SERVER, 21, clientSeq, bytes), -1);
        clientSeq += bytes.length();
    }

    void server(String bytes) {
        model.onPacket(Packets.v4(SERVER, 21, CLIENT, sport, serverSeq, bytes), -1);
        serverSeq += bytes.length();
    }

    SessionSnapshot view() {
        return model.session(Long.toString(control.id())).orElseThrow();
    }

    void assertRefusedAndNothingCreated(String diagnosisPart) throws Exception {
        assertThat(kernel.expectations()).isEmpty();
        clock.advance(SessionModel.KERNEL_GRACE.plusMillis(50));
        assertThat(model.reconcile(false, false).created()).as("a reconcile does not 'restore' it").isZero();
        assertThat(model.reconcile(false, false, true).created()).isZero();
        assertThat(kernel.expectations()).isEmpty();
        assertThat(view().diagnosis()).as("%s", view().diagnosis()).anyMatch(d -> d.contains(diagnosisPart) && d.contains("no expectation"));
        assertThat(model.counters().refused()).isPositive();
    }

    @Test
    void aPortInsideAnHttpRequestAsTheFirstSegment() throws Exception {
        client("POST /upload HTTP/1.1\r\nHost: 192.168.10.115:21\r\nContent-Length: 40\r\n\r\n" + SMUGGLED + "\r\n");
        assertRefusedAndNothingCreated("PORT not at the first byte of one TCP segment");
    }

    @Test
    void aPortAtTheStartOfTheFirstSegment() throws Exception {
        client(SMUGGLED + "\r\n");
        assertRefusedAndNothingCreated("PORT in the first segment of its direction");
    }

    @Test
    void aPortAtTheStartOfASegmentThatDoesNotFollowALineEnd() throws Exception {
        client("GET / HTTP/1.1\r\nX-Padding: ");
        client(SMUGGLED + "\r\n");
        assertRefusedAndNothingCreated("PORT at the start of a segment that does not follow a segment ending in LF");
        client("more: x");
        client(SMUGGLED + "\r\n");
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("PORT at the start of a segment that does not follow a segment ending in LF"));
        assertThat(kernel.expectations()).isEmpty();
    }

    @Test
    void variantsAnAttackerTriesNext() throws Exception {
        client("GET / HTTP/1.1\r\n");
        client("PORT 10,10,10,2,");                 // split mid-line
        client("21,179\r\n");
        client("eprt |1|10.10.10.2|5555|\r\nPORT 10,10,10,2,21,179\r\n"); // lowercase is the kernel's, the second line is not
        client("LPRT 4,4,10,10,10,2,2,21,179\r\n"); // a form the kernel does not parse
        client("PORT  10,10,10,2,21,179\r\n");      // two spaces: the kernel drops it
        assertThat(kernel.expectations()).isEmpty();
        clock.advance(SessionModel.KERNEL_GRACE.plusMillis(50));
        assertThat(model.reconcile(false, false).created()).isZero();
        assertThat(kernel.expectations()).isEmpty();
        List<String> d = view().diagnosis();
        assertThat(d).as("%s", d).anyMatch(x -> x.contains("PORT not at the first byte of one TCP segment"))
                .anyMatch(x -> x.contains("PORT not in the kernel helper's strict syntax"))
                .anyMatch(x -> x.contains("LPRT (RFC 1639) is not parsed by the kernel helper") && x.contains("no expectation"));
        assertThat(view().channels()).anySatisfy(c -> {
            assertThat(RepairPlanner.formName(c.negotiation().offer().form())).isEqualTo("EPRT");
            assertThat(c.negotiation().active()).isTrue();
            assertThat(c.port()).isEqualTo(5555);
            assertThat(c.plan().source()).isEqualTo(ChannelPlan.Source.KERNEL);
        });
    }

    @Test
    void theKernelsOwnExpectationForACommandItTookIsRestoredAfterDrift() throws Exception {
        client("USER lab\r\n");
        client("PORT 10,10,10,2,21,179\r\n"); // at the kernel's position: the kernel's to make
        assertThat(kernel.expectations()).as("ftpnatd makes none of its own").isEmpty();
        Expectation own = Expectation.create(control.original(), Tuple.tcp(SERVER, 0, "192.168.10.114", 5555), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        try (ConntrackClient flush = new ConntrackClient(kernel.transport())) {
            flush.deleteExpectation(own.tuple(), 0);
        }
        assertThat(model.reconcile(false, false).created()).isEqualTo(1);
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple()).isEqualTo(own.tuple()));
    }

    @Test
    void theKernelsEventBeforeTheCopyOfItsLineStillCounts() throws Exception {
        server("220 hi\r\n");
        client("USER lab\r\n");
        client("PASV\r\n");
        Expectation own = Expectation.create(control.original(), Tuple.tcp(CLIENT, 0, SERVER, 40000), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        server("227 Entering Passive Mode (192,168,10,115,156,64)\r\n"); // its copy comes after the event
        try (ConntrackClient flush = new ConntrackClient(kernel.transport())) {
            flush.deleteExpectation(own.tuple(), 0);
        }
        assertThat(model.reconcile(false, false).created()).as("the kernel's own, restored").isEqualTo(1);
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple()).isEqualTo(own.tuple()));
    }

    @Test
    void aRefusedLineDoesNotTakeTheSlotOfTheKernelsOpenChannel() throws Exception {
        client("USER lab\r\n");
        client("PORT 10,10,10,2,21,180\r\n"); // the kernel's: 5556
        Expectation own = Expectation.create(control.original(), Tuple.tcp(SERVER, 0, "192.168.10.114", 5556), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        client("NOOP\r\n" + SMUGGLED + "\r\n"); // refused: the kernel never saw it as a negotiation
        assertThat(model.reconcile(false, false).removed()).as("the kernel's expectation for 5556 stays").isZero();
        assertThat(kernel.expectations()).singleElement().satisfies(e -> assertThat(e.tuple().dstPort()).isEqualTo(5556));
    }

    @Test
    void anExpectationTheKernelMadeForACommandFtpnatdThoughtRefusedIsKept() throws Exception {
        client(SMUGGLED + "\r\n"); // ftpnatd joined late, say: it saw this as a first segment
        Expectation own = Expectation.create(control.original(), Tuple.tcp(SERVER, 0, "192.168.10.114", 5555), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        assertThat(model.reconcile(false, false).removed()).as("the kernel's own is no stray").isZero();
        assertThat(kernel.expectations()).hasSize(1);
        assertThat(view().diagnosis()).anyMatch(x -> x.contains("the kernel helper took it after all"));
    }

    @Test
    void aPassiveReplyFtpnatdMissedButTheKernelTookKeepsItsExpectation() throws Exception {
        server("227 Entering Passive Mode (192,168,10,115,156,64)\r\n"); // ftpnatd joined late: a first segment to it
        Expectation own = Expectation.create(control.original(), Tuple.tcp(CLIENT, 0, SERVER, 40000), 300);
        try (ConntrackClient helper = new ConntrackClient(kernel.transport())) {
            helper.createExpectation(own);
        }
        model.onExpectationEvent(new ExpectationEvent(ExpectationEvent.Type.NEW, kernel.expectations().get(0)));
        assertThat(model.reconcile(false, false).removed()).isZero();
        assertThat(kernel.expectations()).hasSize(1);
    }

    @Test
    void passwordsAndAccountsAreMaskedHoweverTheyAreWritten() {
        client("USER lab\r\n");
        for (String line : List.of("PASS\tsecret1", " pass secret2", "PaSs secret3", "PASS", "ACCT secret4", "\tacct  secret5")) {
            client(line + "\r\n");
        }
        String dialogue = view().dialogue().toString();
        assertThat(dialogue).doesNotContain("secret").contains("PASS ****").contains("ACCT ****");
    }

    @Test
    void aFloodOfForeign227sIsHeldToTheRepairBudget() {
        server("220 hi\r\n");
        client("USER lab\r\n");
        for (int i = 0; i < 300; i++) {
            client("PASV\r\n");
            server("227 Entering Passive Mode (198,51,100,9," + (100 + i / 256) + "," + (i % 256) + ")\r\n");
        }
        SessionCounters c = model.counters();
        assertThat(c.repairs()).isEqualTo(RepairBudget.SESSION_BURST);
        assertThat(c.repairsRateLimited()).isEqualTo(300 - RepairBudget.SESSION_BURST);
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("repair budget spent"));
        assertThat(kernel.expectations()).as("ftp's one slot per master").hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,200,1)\r\n");
        assertThat(model.counters().repairs()).as("a second later the budget allows again").isEqualTo(RepairBudget.SESSION_BURST + 1);
    }

    @Test
    void theTotalBudgetHoldsAcrossSessions() {
        RepairBudget small = new RepairBudget(clock, 5, 1, 8, 1);
        model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())), new RepairPlanner(1024),
                AdvertisedAddresses.NONE, clock, small, 100);
        for (int s = 0; s < 4; s++) {
            sport = 41000 + s;
            clientSeq = 1000;
            serverSeq = 5000;
            open(sport);
            server("220 hi\r\n");
            client("USER lab\r\n");
            for (int i = 0; i < 5; i++) {
                client("PASV\r\n");
                server("227 Entering Passive Mode (198,51,100,9,150," + i + ")\r\n");
            }
        }
        assertThat(model.counters().repairs()).isEqualTo(8);
        assertThat(model.counters().repairsRateLimited()).isEqualTo(12);
    }

    @Test
    void unsolicitedAndSloppy227sAreNotRepaired() {
        server("220 hi\r\n");
        client("USER lab\r\n");
        server("227 Entering Passive Mode (198,51,100,9,156,64)\r\n");
        client("PASV\r\n");
        server("227 Entering Passive Mode (198,51,100,9,0,40000)\r\n");
        assertThat(kernel.expectations()).isEmpty();
        assertThat(view().diagnosis()).anyMatch(d -> d.contains("unsolicited")).anyMatch(d -> d.contains("not in strict syntax"));
    }

    @Test
    void atTheCapTheLeastRecentlyActiveLiveSessionIsShed() {
        model = model(3);
        List<Conntrack> cs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sport = 42000 + i;
            cs.add(open(sport));
        }
        sport = 42000;
        client("USER first\r\n"); // the oldest is the most recently active now
        sport = 42003;
        open(sport);
        assertThat(model.counters().tracked()).isEqualTo(3);
        assertThat(model.counters().sessionsShed()).isEqualTo(1);
        assertThat(model.session(Long.toString(cs.get(0).id()))).isPresent();
        assertThat(model.session(Long.toString(cs.get(1).id()))).as("the least recently active").isEmpty();
    }
}
