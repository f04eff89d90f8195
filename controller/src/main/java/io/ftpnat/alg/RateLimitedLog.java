package io.ftpnat.alg;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * At most one log line per interval for a recurring event that a peer can cause at will (refused
 * connections): the first occurrence is logged, the rest are counted and the count is logged with
 * the next line, so a flood costs the log one line per interval.
 */
final class RateLimitedLog {
    private final Clock clock;
    private final Duration interval;
    private Instant last = Instant.MIN;
    private long suppressed;

    RateLimitedLog(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** -1 when this occurrence is not to be logged; else how many were not logged since the last line. */
    synchronized long next() {
        Instant now = clock.instant();
        if (last != Instant.MIN && Duration.between(last, now).compareTo(interval) < 0) {
            suppressed++;
            return -1;
        }
        last = now;
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
