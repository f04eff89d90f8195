package io.ftpnat.session;

import java.time.Clock;

/**
 * How many repairs (expectations ftpnatd creates, each one ctnetlink request and one nft
 * transaction, made on the observer's thread) a session and the whole router may make: two token
 * buckets, one per session and one for all. A server answering with a flood of foreign 227s gets a
 * few repairs a second; every reply past the budget is refused, counted and diagnosed, and the
 * observer keeps serving every other session. Time comes from the injected clock.
 */
final class RepairBudget {
    /** Per session: a burst of this many repairs, then this many a second (a client fetching many small files). */
    static final int SESSION_BURST = 20;
    static final int SESSION_PER_SECOND = 10;
    /** For all sessions together: {@link SessionModel#DEFAULT_REPAIRS_PER_SECOND} unless the operator says otherwise. */

    /** One bucket: tokens and when they were last counted. Mutable; used under the model's lock. */
    static final class Bucket {
        private final int burst;
        private final int perSecond;
        private double tokens;
        private long at = Long.MIN_VALUE;

        Bucket(int burst, int perSecond) {
            this.burst = burst;
            this.perSecond = perSecond;
            this.tokens = burst;
        }

        private void refill(long millis) {
            if (at != Long.MIN_VALUE && millis > at) {
                tokens = Math.min(burst, tokens + (millis - at) * perSecond / 1000.0);
            }
            at = millis;
        }
    }

    private final Clock clock;
    private final Bucket total;
    private final int sessionBurst;
    private final int sessionPerSecond;

    RepairBudget(Clock clock) {
        this(clock, SessionModel.DEFAULT_REPAIRS_PER_SECOND);
    }

    /** The per-session bucket, and {@code 2 × totalPerSecond} at once then {@code totalPerSecond} a second in all. */
    RepairBudget(Clock clock, int totalPerSecond) {
        this(clock, SESSION_BURST, SESSION_PER_SECOND, 2 * totalPerSecond, totalPerSecond);
    }

    RepairBudget(Clock clock, int sessionBurst, int sessionPerSecond, int totalBurst, int totalPerSecond) {
        this.clock = clock;
        this.total = new Bucket(totalBurst, totalPerSecond);
        this.sessionBurst = sessionBurst;
        this.sessionPerSecond = sessionPerSecond;
    }

    Bucket newSessionBucket() {
        return new Bucket(sessionBurst, sessionPerSecond);
    }

    /** Takes one repair from the session's bucket and the total; false (nothing taken) when either is empty. */
    boolean take(Bucket session) {
        long now = clock.millis();
        session.refill(now);
        total.refill(now);
        if (session.tokens < 1 || total.tokens < 1) {
            return false;
        }
        session.tokens--;
        total.tokens--;
        return true;
    }

    String describe() {
        return sessionBurst + " at once then " + sessionPerSecond + "/s per session, " + total.burst + " then " + total.perSecond
                + "/s in all";
    }
}
