package io.ftpnat.ha;

import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.Objects;

/**
 * What one FTP control connection carries that conntrackd does not sync (docs/ha.md): its
 * sequence adjustments and its pending expectation with the NAT the kernel helper gave it.
 *
 * @param master      the control connection's original tuple (the key on both routers)
 * @param adjustments left by the helper's PORT/227 rewrites (NONE when nothing was rewritten)
 * @param expectation the pending expectation as the old master's kernel reported it (null when none)
 */
public record FtpControlState(Tuple master, SequenceAdjustments adjustments, Expectation expectation) {
    public FtpControlState {
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(adjustments, "adjustments");
        if (expectation != null && !master.equals(expectation.master())) {
            throw new IllegalArgumentException("expectation of another master: " + expectation);
        }
    }

    public FtpControlState withAdjustments(SequenceAdjustments a) {
        return new FtpControlState(master, a, expectation);
    }

    public FtpControlState withExpectation(Expectation e) {
        return new FtpControlState(master, adjustments, e);
    }

    /**
     * The kernel helper only ever expects a connection between the master's own endpoints (one of
     * them possibly translated): every address of the expectation must be one the master's two
     * tuples name. A replicated expectation that is not is refused, so the pair never opens a data
     * channel the helper would not have (a forged or corrupted message, a bounce attempt).
     */
    public static boolean consistent(Expectation e, Tuple original, Tuple reply) {
        if (e == null || e.tuple() == null || e.master() == null || !e.master().equals(original)) {
            return false;
        }
        java.util.Set<Object> own = new java.util.HashSet<>(java.util.List.of(original.src(), original.dst(), reply.src(), reply.dst()));
        // nf_nat_ftp saves only the port: nat-follow-master takes the address from the master (0.0.0.0 here)
        boolean natOk = e.nat() == null || e.nat().address().isAny() || own.contains(e.nat().address());
        return e.tuple().protocol() == original.protocol() && own.contains(e.tuple().src())
                && own.contains(e.tuple().dst()) && natOk && e.tuple().dstPort() != 0;
    }
}
