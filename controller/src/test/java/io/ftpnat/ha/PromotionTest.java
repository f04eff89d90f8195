package io.ftpnat.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.FtpFailoverKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Direction;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationNat;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustment;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The new master after conntrackd's commit: what the peer described is applied only to a
 * committed connection that carries the ftp helper, and only an expectation between that
 * connection's own addresses is put back.
 */
class PromotionTest {
    static final SequenceAdjustments PLUS_4 = new SequenceAdjustments(new SequenceAdjustment(1000, 0, 4), SequenceAdjustment.NONE);

    /** The kernel as conntrackd's commit left it: connections by original tuple; what ftpnatd wrote. */
    static final class CommittedKernel implements FtpFailoverKernel {
        final Map<Tuple, Conntrack> connections = new HashMap<>();
        final Map<Tuple, SequenceAdjustments> written = new HashMap<>();
        final List<Expectation> created = new ArrayList<>();

        void commit(Tuple original, String helper) {
            connections.put(original, Conntrack.of(original, TcpState.ESTABLISHED, 0, 0, helper));
        }

        @Override
        public Optional<Conntrack> connection(Tuple master) {
            return Optional.ofNullable(connections.get(master));
        }

        @Override
        public Optional<SequenceAdjustments> sequenceAdjustments(Tuple master) {
            return connection(master).map(c -> written.getOrDefault(master, SequenceAdjustments.NONE));
        }

        @Override
        public void writeSequenceAdjustments(Tuple master, SequenceAdjustments adjustments) {
            written.put(master, adjustments);
        }

        @Override
        public void replaceExpectation(Expectation e) {
            created.add(e);
        }

        @Override
        public List<Expectation> expectations() throws NetlinkException {
            return created;
        }

        @Override
        public List<Tuple> ftpControlConnections() {
            return connections.values().stream().filter(c -> "ftp".equals(c.helper())).map(Conntrack::original).toList();
        }

        @Override
        public io.ftpnat.kernel.ConntrackTables.EventStream subscribeExpectations() {
            throw new UnsupportedOperationException("promotion reads no events");
        }
    }

    static FtpControlState active(int port, String expectedDst) {
        Tuple control = Tuple.tcp("10.10.10.2", port, "192.168.10.115", 21);
        Expectation e = Expectation.create(control, Tuple.tcp("192.168.10.115", 0, expectedDst, 50000 + port % 1000), -1)
                .withHelper("ftp").withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, IpAddress.V4_ANY, 50000));
        return new FtpControlState(control, PLUS_4, e);
    }

    @Test
    void aCommittedHelperConnectionGetsItsAdjustmentAndItsExpectationWithNat() {
        CommittedKernel k = new CommittedKernel();
        FtpControlState s = active(40001, "10.10.10.2"); // Conntrack.of: no NAT, so the reply's dst is the client
        k.commit(s.master(), "ftp");
        Promotion.Outcome o = Promotion.run(List.of(s), k);
        assertThat(k.written).containsEntry(s.master(), PLUS_4);
        assertThat(k.created).hasSize(1);
        assertThat(k.created.get(0).nat()).isNotNull();
        assertThat(k.created.get(0).function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
        assertThat(o.report().sequenceAdjusted()).isEqualTo(1);
        assertThat(o.report().expectationsRestored()).isEqualTo(1);
        assertThat(o.adopted()).containsExactly(s);
    }

    @Test
    void nothingForAConnectionTheCommitDidNotBringOrThatHasNoHelper() {
        CommittedKernel k = new CommittedKernel();
        FtpControlState missing = active(40002, "10.10.10.2");
        FtpControlState helperless = active(40003, "10.10.10.2");
        k.commit(helperless.master(), null);
        FailoverReport r = Promotion.run(List.of(missing, helperless), k).report();
        assertThat(k.written).isEmpty();
        assertThat(k.created).isEmpty();
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.withoutHelper()).isEqualTo(1);
    }

    @Test
    void anExpectationToAThirdAddressIsRefusedButTheAdjustmentIsWritten() {
        CommittedKernel k = new CommittedKernel();
        FtpControlState bounce = active(40004, "192.0.2.99");
        k.commit(bounce.master(), "ftp");
        FailoverReport r = Promotion.run(List.of(bounce), k).report();
        assertThat(k.created).isEmpty();
        assertThat(k.written).containsKey(bounce.master());
        assertThat(r.refused()).isEqualTo(1);
    }
}
