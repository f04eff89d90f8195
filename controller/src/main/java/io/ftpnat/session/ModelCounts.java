package io.ftpnat.session;

/**
 * The session model's running counts, shared by its parts (index, early buffer, repairer,
 * reconciler's shell). Mutable; touched only under the model's lock. {@link #snapshot} gives the
 * immutable {@link SessionCounters} that {@code status} and the metrics read.
 */
final class ModelCounts {
    long segments;
    long unmatched;
    long channels;
    long kernelExpectations;
    long repairs;
    long repairFailures;
    long refused;
    long driftMissing;
    long driftStray;
    long reconciles;
    long resyncs;
    long recovered;
    long orphans;
    long gaps;
    long followed;
    long repairsLimited;
    long shed;
    long notAdopted;
    long watchFailures;

    SessionCounters snapshot(int tracked, int observed) {
        return new SessionCounters(tracked, observed, segments, unmatched, channels, kernelExpectations, repairs, followed,
                repairFailures, refused, driftMissing, driftStray, reconciles, resyncs, recovered, orphans, gaps, repairsLimited, shed,
                notAdopted, watchFailures);
    }
}
