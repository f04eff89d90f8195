package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a negotiation on an observed control connection becomes: a channel of the session, and —
 * where the kernel helper will not expect it and the policy lets ftpnatd repair it, within the
 * {@link RepairBudget} — the expectation to create ({@link KernelAction.CreateExpectation}) and
 * the advertised address to watch. It decides under the model's lock and records outcomes there;
 * the kernel calls themselves are the model's, made between the two outside the lock.
 *
 * <p>The decision point is {@link #negotiated}: its actions are what the segment carrying the
 * negotiation waits for (a held 227 can be released once they are carried out).
 */
final class Repairer {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);
    static final String TOOK_AFTER_ALL =
            "the kernel helper took it after all (ftpnatd's view of the stream was incomplete): its own expectation, kept";

    private final RepairPlanner planner;
    private final RepairBudget budget;
    private final Clock clock;
    private final ModelCounts counts;
    private final SessionIndex index;
    private final SessionListeners events;

    Repairer(RepairPlanner planner, RepairBudget budget, Clock clock, ModelCounts counts, SessionIndex index, SessionListeners events) {
        this.planner = planner;
        this.budget = budget;
        this.clock = clock;
        this.counts = counts;
        this.index = index;
        this.events = events;
    }

    RepairBudget.Bucket newSessionBucket() {
        return budget.newSessionBucket();
    }

    /** A negotiation read from the session's dialogue: adds its channel; appends the kernel actions it needs to {@code out}. */
    void negotiated(FtpSession s, Negotiation n, long micros, List<KernelAction> out) {
        counts.channels++;
        Instant now = clock.instant();
        ChannelPlan plan = planner.plan(s.control, n);
        int number = ++s.channelCount;
        if (plan.source() == ChannelPlan.Source.REPAIR && !budget.take(s.repairBudget)) {
            counts.repairsLimited++;
            s.repairsLimited++;
            s.note("repairs refused by the repair budget (" + budget.describe() + ")");
            plan = new ChannelPlan(ChannelPlan.Source.REFUSED, null,
                    plan.why() + "; not repaired: repair budget spent (" + budget.describe() + ")");
            if (Long.bitCount(s.repairsLimited) == 1) {
                try (SessionMdc mdc = SessionMdc.of(s)) {
                    log.warn("session {} channel {}: {} ({} refused so far)", s.id, number, plan.why(), s.repairsLimited);
                }
            }
        }
        ObservedChannel c = new ObservedChannel(number, n, plan,
                plan.source() == ChannelPlan.Source.REFUSED ? ObservedChannel.State.REFUSED : ObservedChannel.State.PENDING,
                null, null, plan.why(), -1, now);
        s.addChannel(c, now);
        Expectation early = s.unclaimedKernel;
        if (early != null && c.matches(early) && plan.source() != ChannelPlan.Source.REPAIR
                && s.unclaimedKernelAt.plus(Reconciler.KERNEL_GRACE.multipliedBy(4)).isAfter(now)) {
            // the kernel's own expectation for this line, announced before the copy arrived
            s.unclaimedKernel = null;
            counts.kernelExpectations++;
            c = plan.source() == ChannelPlan.Source.KERNEL ? c.withExpectation(early, now)
                    : c.withExpectation(early, now).with(ObservedChannel.State.EXPECTED, TOOK_AFTER_ALL, now);
            s.replace(c);
            events.emit("session-channel", s, "channel " + number + ": " + n.line() + " (kernel)");
            return;
        }
        events.emit("session-channel", s, "channel " + number + ": " + n.line() + " (" + plan.source().name().toLowerCase() + ")");
        switch (plan.source()) {
            case REFUSED -> {
                counts.refused++;
                s.refused++;
                s.note(plan.why());
                if (Long.bitCount(s.refused) == 1) { // the 1st, 2nd, 4th, ...: a hostile peer cannot flood the log
                    try (SessionMdc mdc = SessionMdc.of(s)) {
                        log.warn("session {}: {}{}", s.id, plan.why(), s.refused > 1 ? " (" + s.refused + " refusals so far)" : "");
                    }
                }
            }
            case REPAIR -> {
                out.add(new KernelAction.CreateExpectation(s.id, number, plan.expectation(), KernelAction.Purpose.REPAIR,
                        plan.why() + "; repaired", micros));
                watchAdvertised(s, n, out);
            }
            case KERNEL -> { }
        }
    }

    /**
     * A repaired passive reply that named an address other than the one the client used for the
     * control connection: a client that trusts the reply goes there instead. The expectation can
     * name only one destination (ftp allows one per control connection), so it waits at the
     * control address (where curl and most clients go) and the advertised one is watched.
     */
    private void watchAdvertised(FtpSession s, Negotiation n, List<KernelAction> out) {
        IpAddress named = n.offer().address().orElse(null);
        if (n.active() || named == null || named.equals(s.control.original().dst()) || named.v6() != s.client().v6()) {
            return;
        }
        AdvertisedKey key = new AdvertisedKey(s.client(), named, n.offer().port());
        // only the latest channel can be followed: one watch per session, in the model and in the set
        AdvertisedKey replaced = index.watch(s, key);
        out.add(new KernelAction.WatchAdvertised(s.id, key, replaced));
    }

    /**
     * The copy of a SYN to an address a repaired 227 advertised: this client trusts the reply. The
     * expectation to move there (with the same NAT, so the connection still reaches the server; the
     * client's retransmitted SYN is then RELATED), or null when the SYN is no such client's.
     */
    KernelAction.CreateExpectation follow(TcpSegment syn) {
        FtpSession s = index.byAdvertised(new AdvertisedKey(syn.src(), syn.dst(), syn.dstPort()));
        ObservedChannel c = s == null ? null : s.latestOpen();
        if (c == null || !c.open() || c.port() != syn.dstPort() || c.plan().source() != ChannelPlan.Source.REPAIR) {
            counts.unmatched++;
            return null;
        }
        if (c.expectation() != null && c.expectation().tuple().dst().equals(syn.dst())) {
            return null; // a retransmission before ours took effect
        }
        Expectation planned = c.plan().expectation();
        Expectation moved = Expectation.create(planned.master(), Tuple.of(Tuple.TCP, syn.src(), 0, syn.dst(), syn.dstPort()),
                RepairPlanner.HELPER_TIMEOUT);
        if (planned.nat() != null) {
            moved = moved.withNat(planned.nat());
        }
        return new KernelAction.CreateExpectation(s.id, c.number(), moved, KernelAction.Purpose.FOLLOW,
                c.note() + "; the client connected to " + syn.dst() + " as the reply said (it trusts it):"
                        + " the expectation follows it there (the client's SYN retransmission passes)", -1);
    }

    /** The expectation is in the kernel (created, or the very same one was there already). */
    void created(FtpSession s, KernelAction.CreateExpectation a) {
        Instant now = clock.instant();
        long took = a.micros() > 0 ? Math.max(0, micros(now) - a.micros()) : -1;
        switch (a.purpose()) {
            case REPAIR -> counts.repairs++;
            case FOLLOW -> counts.followed++; // the same channel's repair, moved
            case RESTORE -> counts.driftMissing++;
        }
        s.repairs++;
        ObservedChannel c = s.channel(a.channel());
        if (c != null) {
            s.replace(c.repaired(a.expectation(), took, a.note(), now));
        }
        s.note(a.note());
        try (SessionMdc mdc = SessionMdc.of(s)) {
            log.info("session {} channel {}: {} ({} -> expect {})", s.id, a.channel(), a.note(),
                    c == null ? "?" : c.negotiation().line(), a.expectation().tuple());
        }
        events.emit(a.purpose() == KernelAction.Purpose.RESTORE ? "session-drift-repaired" : "session-repaired", s, a.note());
    }

    /** The kernel refused the expectation: the channel fails, diagnosed. */
    void createFailed(FtpSession s, KernelAction.CreateExpectation a, String error) {
        counts.repairFailures++;
        String why = "the daemon could not create the expectation: " + error;
        ObservedChannel c = s.channel(a.channel());
        if (c != null) {
            s.replace(c.with(ObservedChannel.State.FAILED, c.note() + "; " + why, clock.instant()));
        }
        s.note(why);
        try (SessionMdc mdc = SessionMdc.of(s)) {
            log.warn("session {} channel {}: {}", s.id, a.channel(), why);
        }
        events.emit("session-repair-failed", s, why);
    }

    /** The advertised address could not be watched (the set is full, or nft failed): the repair stands, a trusting client is not followed. */
    void watchFailed(FtpSession s, KernelAction.WatchAdvertised a, String error) {
        counts.watchFailures++;
        String why = "cannot watch for clients going to " + a.key().address() + ":" + a.key().port() + " (" + error + ")";
        s.note(why);
        if (Long.bitCount(counts.watchFailures) == 1) {
            try (SessionMdc mdc = SessionMdc.of(s)) {
                log.warn("session {}: {}; {} such refusals so far", s.id, why, counts.watchFailures);
            }
        }
    }

    /** Microseconds since the epoch: compared with the kernel's packet timestamps (the daemon's clock is the system's). */
    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
