package io.ftpnat.ha;

import io.ftpnat.kernel.FtpFailoverKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Becoming master, after conntrackd's commit (docs/ha.md, "Failover sequence"): for each FTP
 * control connection the old master described, find the committed connection; only if it is
 * there with the ftp helper attached (the kernel then treats it as the helper's own), write its
 * sequence adjustments and put its pending expectation back with the NAT the old master's helper
 * gave it. Nothing is created for a connection the commit did not bring, or that has no helper, or
 * for an expectation whose addresses are not the connection's own.
 */
final class Promotion {
    private static final Logger log = LoggerFactory.getLogger(Promotion.class);

    /** The outcome, and the control connections now this router's (to keep the peer informed). */
    record Outcome(FailoverReport report, List<FtpControlState> adopted) { }

    private Promotion() {
    }

    static Outcome run(List<FtpControlState> described, FtpFailoverKernel kernel) {
        long t0 = System.nanoTime();
        int found = 0, adjusted = 0, restored = 0, missing = 0, noHelper = 0, refused = 0, errors = 0;
        List<String> details = new ArrayList<>();
        List<FtpControlState> adopted = new ArrayList<>();
        for (FtpControlState s : described) {
            String id = "control " + s.master();
            try {
                Optional<Conntrack> ct = kernel.connection(s.master());
                if (ct.isPresent()) {
                    // the session id here is the committed entry's conntrack id ('ftpnatctl sessions' on this router)
                    id = "session " + ct.get().id() + " (control " + s.master() + ")";
                }
                if (ct.isEmpty()) {
                    missing++;
                    detail(details, id + ": not committed, nothing done");
                    continue;
                }
                if (!"ftp".equals(ct.get().helper())) {
                    noHelper++;
                    log.warn("HA promote: {} has no ftp helper here; its state is not applied", id);
                    detail(details, id + ": no ftp helper, nothing done");
                    continue;
                }
                found++;
                String did = "";
                if (!s.adjustments().isNone()) {
                    kernel.writeSequenceAdjustments(s.master(), s.adjustments());
                    adjusted++;
                    did += " sequence adjustments " + s.adjustments();
                }
                Expectation e = s.expectation();
                if (e != null) {
                    if (FtpControlState.consistent(e, ct.get().original(), ct.get().reply())) {
                        kernel.replaceExpectation(e);
                        restored++;
                        did += " expectation " + e.tuple() + (e.nat() != null ? " nat " + e.nat().address() + ":" + e.nat().port() : "");
                    } else {
                        refused++;
                        log.warn("HA promote: {}: refused an expectation that is not between the connection's own addresses: {}", id, e);
                        did += " expectation refused (not the connection's addresses)";
                        e = null;
                    }
                }
                adopted.add(s.withExpectation(e));
                if (!did.isEmpty()) {
                    log.info("HA promote: {}:{}", id, did);
                    detail(details, id + ":" + did);
                }
            } catch (NetlinkException | RuntimeException ex) {
                errors++;
                log.warn("HA promote: {}: {}", id, ex.toString());
                detail(details, id + ": error " + ex.getMessage());
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        FailoverReport r = new FailoverReport(Instant.now(), ms, described.size(), found, adjusted, restored, missing, noHelper,
                refused, errors, List.copyOf(details));
        return new Outcome(r, adopted);
    }

    private static void detail(List<String> details, String d) {
        if (details.size() < FailoverReport.MAX_DETAILS) {
            details.add(d);
        }
    }
}
