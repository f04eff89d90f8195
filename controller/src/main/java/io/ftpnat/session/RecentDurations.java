package io.ftpnat.session;

import java.util.Arrays;

/**
 * The last {@link #KEPT} durations (µs) of something, for percentiles in logs and status: a ring,
 * bounded, thread-safe.
 */
public final class RecentDurations {
    static final int KEPT = 4096;

    private final long[] recent = new long[KEPT];
    private long recorded;
    private long max;

    public synchronized void record(long micros) {
        recent[(int) (recorded++ % KEPT)] = micros;
        max = Math.max(max, micros);
    }

    /** The {@code p}th percentile (0-100) of the recent durations in µs, -1 when none. */
    public synchronized long percentile(double p) {
        int n = (int) Math.min(recorded, KEPT);
        if (n == 0) {
            return -1;
        }
        long[] s = Arrays.copyOf(recent, n);
        Arrays.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * n) - 1;
        return s[Math.max(0, Math.min(n - 1, idx))];
    }

    /** The longest recorded since the start, µs. */
    public synchronized long max() {
        return max;
    }

    /** "µs p50 … p99 … max … (n …)", or "none" before the first. */
    public synchronized String describe() {
        return recorded == 0 ? "none" : "µs p50 " + percentile(50) + " p99 " + percentile(99) + " max " + max + " (n " + recorded + ")";
    }
}
