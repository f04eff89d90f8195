package io.ftpnat.session;

/** What the model did, for {@code status}: a snapshot of its counters. */
public record SessionCounters(int tracked, int observed, long segments, long unmatchedSegments, long channels,
                              long kernelExpectations, long repairs, long followedToAdvertised, long repairFailures, long refused,
                              long driftMissing, long driftStray, long reconciles, long resyncs,
                              long recovered, long orphansRemoved, long gaps) {
}
