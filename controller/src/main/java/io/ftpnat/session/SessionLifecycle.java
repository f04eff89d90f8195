package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's life as the kernel's tables tell it: admitted when its control connection appears
 * (shedding the least recently active one at the cap), its data connections and the kernel's own
 * expectations matched to its channels, closed when the control connection goes. Used under the
 * model's lock; it never calls the kernel.
 */
final class SessionLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);

    private final Clock clock;
    private final int maxSessions;
    private final Duration closedKept;
    private final ModelCounts counts;
    private final SessionIndex index;
    private final Repairer repairer;
    private final SessionListeners listeners;
    /** Names the rule a control connection belongs to (the daemon's: from the policy in force). */
    private volatile Function<Conntrack, String> ruleOf = c -> "";

    SessionLifecycle(Clock clock, int maxSessions, Duration closedKept, ModelCounts counts, SessionIndex index, Repairer repairer,
            SessionListeners listeners) {
        this.clock = clock;
        this.maxSessions = maxSessions;
        this.closedKept = closedKept;
        this.counts = counts;
        this.index = index;
        this.repairer = repairer;
        this.listeners = listeners;
    }

    void nameRulesWith(Function<Conntrack, String> ruleOf) {
        this.ruleOf = ruleOf;
    }

    /** A new session, or null when the table is full and {@code mayShed} is false. */
    FtpSession track(Conntrack c, boolean fromSnapshot, boolean mayShed) {
        if (index.size() >= maxSessions) {
            index.purgeClosed(null, closedKept);
            if (index.size() >= maxSessions) {
                if (!mayShed) {
                    counts.notAdopted++;
                    return null;
                }
                FtpSession victim = index.leastRecentlyActive();
                index.forget(victim);
                counts.shed++;
                if (Long.bitCount(counts.shed) == 1) { // 1, 2, 4, 8, ...: a flood of new sessions cannot flood the log
                    try (SessionMdc mdc = SessionMdc.of(victim)) {
                        log.warn("session {}: shed from the session model ({} sessions held, the least recently active goes;"
                                + " {} shed so far): the kernel keeps it, ftpnatd no longer observes or repairs it", victim.id,
                                maxSessions, counts.shed);
                    }
                }
            }
        }
        FtpSession s = new FtpSession(c, ruleName(c), fromSnapshot, clock.instant(), repairer.newSessionBucket());
        index.add(s);
        if (fromSnapshot) {
            counts.recovered++;
        }
        listeners.emit("session-new", s, c.original().toString());
        return s;
    }

    private String ruleName(Conntrack c) {
        try {
            String r = ruleOf.apply(c);
            return r == null ? "" : r;
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * The session of control connection {@code c}, found by its four-tuple, or null when there is
     * none yet. A session on the same four-tuple but of an earlier conntrack entry (the client
     * reused its port) is closed here: the kernel replaced its entry, and {@code c} starts a
     * session of its own.
     */
    FtpSession current(Conntrack c) {
        FtpSession s = index.byMaster(c.original());
        if (s != null && s.replacedBy(c)) {
            if (!s.closed) {
                close(s);
            }
            return null;
        }
        return s;
    }

    void close(FtpSession s) {
        s.closed = true;
        s.closedAt = clock.instant();
        ObservedChannel latest = s.latestOpen();
        if (latest != null) {
            s.replace(latest.with(ObservedChannel.State.ENDED, "the control connection ended", s.closedAt));
        }
        listeners.emit("session-end", s, "control connection gone from the kernel");
    }

    /** The kernel's expectation event, matched to the session's channels; whether it concerns a tracked session. */
    boolean kernelExpectation(ExpectationEvent e) {
        Expectation x = e.expectation();
        FtpSession s = index.byMaster(x.master());
        if (s == null) {
            return false;
        }
        ObservedChannel open = s.latestOpen();
        ObservedChannel latest = s.latest();
        Instant now = clock.instant();
        if (e.type() == ExpectationEvent.Type.NEW) {
            if (open != null && open.matches(x)) {
                if (open.expectation() == null) {
                    counts.kernelExpectations++;
                }
                s.replace(open.withExpectation(x, now));
            } else if (latest != null && latest.matches(x) && latest.state() == ObservedChannel.State.REFUSED
                    && latest.plan().source() == ChannelPlan.Source.REFUSED) {
                // the kernel took a command ftpnatd thought it would not (a stream joined late, a lost copy):
                // its own expectation, kept and restorable; ftpnatd's reading was the incomplete one
                counts.kernelExpectations++;
                s.replace(latest.withExpectation(x, now).with(ObservedChannel.State.EXPECTED, Repairer.TOOK_AFTER_ALL, now));
            } else {
                s.unclaimedKernel = x; // the observer's copy of its line may not be here yet
                s.unclaimedKernelAt = now;
            }
        }
        return true;
    }

    /** A connection whose master is a session's control connection: the data connection of one of its channels. */
    void dataConnection(Conntrack c) {
        FtpSession s = index.byMaster(c.master());
        if (s != null) {
            s.addData(c);
            ObservedChannel ch = s.connect(c, clock.instant());
            if (ch != null) {
                listeners.emit("session-data", s, "data connection " + c.original() + " for channel " + ch.number());
            }
        }
    }
}
