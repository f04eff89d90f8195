package io.ftpnat.session;

/**
 * What the model did, for {@code status}: a snapshot of its counters.
 *
 * @param repairsRateLimited repairs refused by the repair budget (a flood of foreign 227s)
 * @param sessionsShed       live sessions forgotten at the session cap (the least recently active)
 * @param sessionsNotAdopted kernel sessions a reconcile found while the table was full
 * @param watchFailures      advertised addresses that could not be watched (the nft set full, or nft failed)
 */
public record SessionCounters(int tracked, int observed, long segments, long unmatchedSegments, long channels,
                              long kernelExpectations, long repairs, long followedToAdvertised, long repairFailures, long refused,
                              long driftMissing, long driftStray, long reconciles, long resyncs,
                              long recovered, long orphansRemoved, long gaps, long repairsRateLimited, long sessionsShed,
                              long sessionsNotAdopted, long watchFailures) {
}
