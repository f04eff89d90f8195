package io.ftpnat.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reconcile's decision without a kernel: the model's sessions and the tables as dumped in, the
 * actions out. Client 10.10.10.2 behind the router's masquerade, server 192.168.10.115.
 */
class ReconcilerTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static FtpSession session(TcpState state) {
        Conntrack control = new Conntrack(2, Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21),
                Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000), Status.CONFIRMED.mask() | Status.SRC_NAT.mask(), state, 300,
                0, 0, "ftp", null, null, null, -1, 7);
        FtpSession s = new FtpSession(control, false, NOW, new RepairBudget.Bucket(1, 1));
        s.segments = 1; // its dialogue was seen
        return s;
    }

    /** An expectation the kernel made {@code age} seconds ago (it reports the seconds left of the helper's 300). */
    static Expectation expectation(FtpSession s, int port, int age) {
        return Expectation.create(s.master(), Tuple.tcp("10.10.10.2", 0, "192.168.10.115", port), RepairPlanner.HELPER_TIMEOUT - age);
    }

    @Test
    void anOldExpectationNoChannelNegotiatedIsAStrayToDelete() {
        FtpSession s = session(TcpState.ESTABLISHED);
        Expectation stray = expectation(s, 41234, 60);
        Reconciler.Diff d = Reconciler.diff(List.of(s), Map.of(), Map.of(s.master(), List.of(stray)), NOW, NOW);
        assertThat(d.updates()).isEmpty();
        assertThat(d.actions()).singleElement().isEqualTo(new KernelAction.DeleteExpectation(s.id, stray, KernelAction.Reason.STRAY,
                "no open data channel of the session negotiated it"));
    }

    @Test
    void aJustMadeExpectationIsNotJudgedYet() {
        FtpSession s = session(TcpState.ESTABLISHED);
        Reconciler.Diff d = Reconciler.diff(List.of(s), Map.of(),
                Map.of(s.master(), List.of(expectation(s, 41234, Reconciler.STRAY_MIN_AGE_SECONDS - 1))), NOW, NOW);
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void theExpectationsOfAClosingControlConnectionAreOrphans() {
        FtpSession s = session(TcpState.TIME_WAIT);
        Expectation e = expectation(s, 45001, 0);
        Reconciler.Diff d = Reconciler.diff(List.of(s), Map.of(), Map.of(s.master(), List.of(e)), NOW, NOW);
        assertThat(d.actions()).singleElement()
                .satisfies(a -> assertThat(((KernelAction.DeleteExpectation) a).reason()).isEqualTo(KernelAction.Reason.ORPHAN));
    }

    @Test
    void aClosedSessionAndAnEmptyKernelNeedNothing() {
        FtpSession s = session(TcpState.ESTABLISHED);
        s.closed = true;
        assertThat(Reconciler.diff(List.of(s), Map.of(), Map.of(s.master(), List.of(expectation(s, 1, 60))), NOW, NOW).actions())
                .isEmpty();
        assertThat(Reconciler.diff(List.of(session(TcpState.ESTABLISHED)), Map.of(), Map.of(), NOW, NOW).actions()).isEmpty();
    }
}
