package io.ftpnat.session;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's model of every FTP session on the router, kept equal to the kernel: the control
 * connections that carry the ftp helper (conntrack events and dumps), their dialogue (the
 * observer's packet copies), the data channels negotiated on them, the expectations the kernel
 * holds for them and the data connections that followed.
 *
 * <p>Where the kernel helper will not expect a channel the dialogue negotiated, the model creates
 * the expectation itself ({@link RepairPlanner}); {@link #reconcile} compares the model with
 * fresh dumps of the kernel tables and repairs drift (a missing expectation is created again, a
 * stray one on a session's master is removed).
 *
 * <p>The daemon never creates a data channel the kernel helper refuses. It creates or restores an
 * expectation in two cases only: a channel the kernel itself accepted (its own expectation, seen in
 * an event or a dump, put back after drift), and a repair it owns that the policy allows (a server's
 * 227/228 naming a foreign address, read where the kernel reads, scoped to the master's peer,
 * within {@link RepairBudget}). A client's PORT/EPRT the kernel did not take — NAT slipstreaming —
 * is refused and diagnosed, never "restored".
 *
 * <p>Bounded: {@link #MAX_SESSIONS} sessions (at the cap the least recently active is shed, live or
 * not, with a log line), each bounded ({@link FtpSession}), repairs per session and in all per
 * second, watched advertised addresses one per session.
 *
 * <p>Thread-safe: every entry point takes the model's lock (packets, events, reconcile and queries
 * come from different threads). Kernel calls are made under the lock; they are short, and the
 * repair budget bounds how many a flood can cause.
 */
public final class SessionModel {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);
    /** A kernel-made expectation should be there this soon after its negotiation passed the router. */
    static final Duration KERNEL_GRACE = Duration.ofMillis(500);
    static final Duration CLOSED_KEPT = Duration.ofSeconds(60);
    static final Duration PENDING_PACKETS_KEPT = Duration.ofSeconds(5);
    static final int MAX_PENDING_FLOWS = 256;
    /** Sessions held: with at most ~14 KiB each (FtpSession, SessionMemoryTest), within the daemon's 256 MiB heap. */
    static final int MAX_SESSIONS = 15_000;
    private static final int EEXIST = 17;
    static final String TOOK_AFTER_ALL =
            "the kernel helper took it after all (ftpnatd's view of the stream was incomplete): its own expectation, kept";
    static final String KERNEL_MADE_NONE = "the kernel holds no expectation for it (the helper did not take it); ftpnatd creates none in its place";

    private final SessionKernel kernel;
    private final RepairPlanner planner;
    private final AdvertisedAddresses advertised;
    private final Clock clock;
    private final RepairBudget budget;
    private final int maxSessions;
    /** The same sessions, least recently active first (access order): the one shed at the cap. */
    private final LinkedHashMap<String, FtpSession> activity = new LinkedHashMap<>(16, 0.75f, true);
    /** Where repaired 227s pointed (client, advertised address, port): a SYN there is a client that trusts the 227. */
    private final Map<AdvertisedKey, FtpSession> byAdvertised = new HashMap<>();
    private final Map<String, FtpSession> byId = new LinkedHashMap<>();
    private final Map<Tuple, FtpSession> byMaster = new HashMap<>();
    private final Map<FlowKey, FtpSession> byFlow = new HashMap<>();
    /** Copies that arrived before their control connection's conntrack event. */
    private final Map<FlowKey, List<Timed>> early = new LinkedHashMap<>();
    private final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();
    private long segments;
    private long unmatched;
    private long channels;
    private long kernelExpectations;
    private long repairs;
    private long repairFailures;
    private long refused;
    private long driftMissing;
    private long driftStray;
    private long reconciles;
    private long resyncs;
    private long recovered;
    private long orphans;
    private long gaps;

    private long followed;
    private long repairsLimited;
    private long shed;
    private long notAdopted;
    private long watchFailures;

    private record Timed(TcpSegment segment, long micros, Instant at) {
    }

    record AdvertisedKey(IpAddress client, IpAddress address, int port) {
    }

    /**
     * Told when a server's segment has been read to its end: any repair it called for is then in
     * the kernel (or refused), so a hold of that segment may end (docs/netlink.md, "Holding a reply
     * until its repair is in"). Called under the model's lock: it must be quick.
     */
    public interface SegmentRead {
        void serverSegmentRead(String sessionId, TcpSegment segment);
    }

    private volatile SegmentRead segmentRead = (id, seg) -> { };

    public void onServerSegmentRead(SegmentRead l) {
        this.segmentRead = l;
    }

    /**
     * A server segment the kernel holds (NFQUEUE), read now if the model has read everything before
     * it in both directions ({@link ObservedDialogue#caughtUp}): then any repair it calls for is made
     * here, before the hold is released, without waiting for its NFLOG copy (which is then a
     * retransmission to the dialogue, skipped). False when it cannot be read yet: its copy decides.
     */
    public synchronized boolean readHeld(byte[] packet) {
        Optional<TcpSegment> decoded = TcpSegment.decode(packet);
        long ack = TcpSegment.ackOf(packet);
        if (decoded.isEmpty() || ack < 0) {
            return false;
        }
        TcpSegment seg = decoded.get();
        FtpSession s = byFlow.get(new FlowKey(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort()));
        if (s == null || s.closed || !s.dialogue.caughtUp(seg.seq(), ack)) {
            return false;
        }
        apply(s, seg, false, nowMicros());
        return true;
    }

    /** The id of the session whose control connection is this flow (either orientation), for logs. */
    public synchronized Optional<String> sessionIdOf(IpAddress a, int aPort, IpAddress b, int bPort) {
        FtpSession s = byFlow.get(new FlowKey(a, aPort, b, bPort));
        if (s == null) {
            s = byFlow.get(new FlowKey(b, bPort, a, aPort));
        }
        return s == null ? Optional.empty() : Optional.of(s.id);
    }

    /** Names the rule a control connection belongs to (the daemon's: from the policy in force). */
    private volatile java.util.function.Function<Conntrack, String> ruleOf = c -> "";

    /** How to name a new session's rule: the daemon reads it from the policy in force. */
    public void nameRulesWith(java.util.function.Function<Conntrack, String> ruleOf) {
        this.ruleOf = ruleOf;
    }

    public SessionModel(SessionKernel kernel, RepairPlanner planner) {
        this(kernel, planner, AdvertisedAddresses.NONE);
    }

    public SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised) {
        this(kernel, planner, advertised, Clock.systemUTC(), new RepairBudget(Clock.systemUTC()), MAX_SESSIONS);
    }

    SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised, Clock clock, RepairBudget budget,
            int maxSessions) {
        this.kernel = kernel;
        this.planner = planner;
        this.advertised = advertised;
        this.clock = clock;
        this.budget = budget;
        this.maxSessions = maxSessions;
    }

    public void addListener(Consumer<SessionEvent> l) {
        listeners.add(l);
    }

    public void removeListener(Consumer<SessionEvent> l) {
        listeners.remove(l);
    }

    // ---- the kernel's conntrack table ----

    /** A conntrack entry from a dump or an event (NEW or UPDATE). */
    public synchronized void onConntrack(Conntrack c) {
        if (isControl(c)) {
            FtpSession s = byMaster.get(c.original());
            if (s == null) {
                s = track(c, false, true);
                replayEarly(s);
            } else {
                s.control = c;
                activity.get(s.id);
            }
        } else if (c.master() != null) {
            FtpSession s = byMaster.get(c.master());
            if (s != null) {
                s.addData(c);
                DataChannel ch = s.connect(c);
                if (ch != null) {
                    emit("session-data", s, "data connection " + c.original() + " for channel " + ch.number());
                }
            }
        }
    }

    public synchronized void onConntrackEvent(ConntrackEvent e) {
        if (e.type() != ConntrackEvent.Type.DESTROY) {
            onConntrack(e.conntrack());
            return;
        }
        Conntrack c = e.conntrack();
        FtpSession s = byMaster.get(c.original());
        if (s != null && !s.closed) {
            s.control = c;
            close(s);
        } else if (c.master() != null && (s = byMaster.get(c.master())) != null) {
            s.addData(c); // with its final counters
        }
    }

    /** Returns whether the event concerns a tracked session (worth a reconcile soon). */
    public synchronized boolean onExpectationEvent(ExpectationEvent e) {
        Expectation x = e.expectation();
        FtpSession s = x.master() == null ? null : byMaster.get(x.master());
        if (s == null) {
            return false;
        }
        DataChannel open = s.latestOpen();
        DataChannel latest = s.latest();
        if (e.type() == ExpectationEvent.Type.NEW) {
            if (open != null && open.matches(x)) {
                if (open.expectation() == null) {
                    kernelExpectations++;
                }
                s.replace(open.withExpectation(x));
            } else if (latest != null && latest.matches(x) && latest.state() == DataChannel.State.REFUSED
                    && latest.plan().source() == ChannelPlan.Source.REFUSED) {
                // the kernel took a command ftpnatd thought it would not (a stream joined late, a lost copy):
                // its own expectation, kept and restorable; ftpnatd's reading was the incomplete one
                kernelExpectations++;
                s.replace(latest.withExpectation(x).with(DataChannel.State.EXPECTED, TOOK_AFTER_ALL));
            } else {
                s.unclaimedKernel = x; // the observer's copy of its line may not be here yet
                s.unclaimedKernelAt = clock.instant();
            }
        }
        return true;
    }

    private static boolean isControl(Conntrack c) {
        return c.helper() != null && c.helper().startsWith("ftp") && c.reply() != null;
    }

    /** A new session, or null when the table is full and {@code mayShed} is false. */
    private FtpSession track(Conntrack c, boolean fromSnapshot, boolean mayShed) {
        if (byId.size() >= maxSessions) {
            purgeClosed(null);
            if (byId.size() >= maxSessions) {
                if (!mayShed) {
                    notAdopted++;
                    return null;
                }
                FtpSession victim = activity.values().iterator().next();
                forget(victim);
                shed++;
                if (Long.bitCount(shed) == 1) { // 1, 2, 4, 8, ...: a flood of new sessions cannot flood the log
                    try (SessionMdc mdc = SessionMdc.of(victim)) {
                        log.warn("session {}: shed from the session model ({} sessions held, the least recently active goes;"
                                + " {} shed so far): the kernel keeps it, ftpnatd no longer observes or repairs it", victim.id,
                                maxSessions, shed);
                    }
                }
            }
        }
        FtpSession s = new FtpSession(c, ruleName(c), fromSnapshot, clock.instant(), budget.newSessionBucket());
        byId.put(s.id, s);
        activity.put(s.id, s);
        byMaster.put(c.original(), s);
        byFlow.put(flowOf(c), s);
        if (fromSnapshot) {
            recovered++;
        }
        emit("session-new", s, c.original().toString());
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

    private void forget(FtpSession s) {
        byId.remove(s.id, s);
        activity.remove(s.id, s);
        byMaster.remove(s.master(), s);
        byFlow.remove(flowOf(s.control), s);
        if (s.advertised != null) {
            byAdvertised.remove(s.advertised, s);
        }
    }

    private static FlowKey flowOf(Conntrack c) {
        return new FlowKey(c.original().src(), c.original().srcPort(), c.reply().src(), c.reply().srcPort());
    }

    private void close(FtpSession s) {
        s.closed = true;
        s.closedAt = clock.instant();
        DataChannel latest = s.latestOpen();
        if (latest != null) {
            s.replace(latest.with(DataChannel.State.ENDED, "the control connection ended"));
        }
        emit("session-end", s, "control connection gone from the kernel");
    }

    // ---- the observer's copies ----

    /**
     * A copy of a control-channel packet (network layer first). Never throws for bad input: a
     * packet that is not TCP or not of a known control connection is counted and dropped.
     *
     * @param micros when the kernel saw it (microseconds since the epoch), or -1
     */
    public synchronized void onPacket(byte[] packet, long micros) {
        Optional<TcpSegment> decoded = TcpSegment.decode(packet);
        if (decoded.isEmpty()) {
            unmatched++;
            return;
        }
        TcpSegment seg = decoded.get();
        FlowKey toServer = new FlowKey(seg.src(), seg.srcPort(), seg.dst(), seg.dstPort());
        FlowKey toClient = new FlowKey(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort());
        FtpSession s = byFlow.get(toServer);
        boolean fromClient = s != null;
        if (s == null) {
            s = byFlow.get(toClient);
        }
        if (s == null) {
            holdEarly(seg.srcPort() < seg.dstPort() ? toClient : toServer, new Timed(seg, micros, clock.instant()));
            return;
        }
        apply(s, seg, fromClient, micros);
    }

    private void holdEarly(FlowKey key, Timed t) {
        Instant now = clock.instant();
        early.values().removeIf(l -> l.isEmpty() || l.get(0).at().plus(PENDING_PACKETS_KEPT).isBefore(now));
        if (early.size() >= MAX_PENDING_FLOWS && !early.containsKey(key)) {
            unmatched++;
            return;
        }
        List<Timed> list = early.computeIfAbsent(key, k -> new ArrayList<>());
        if (list.size() < 32) {
            list.add(t);
        } else {
            unmatched++;
        }
    }

    private void replayEarly(FtpSession s) {
        if (early.isEmpty()) {
            return;
        }
        FlowKey k = flowOf(s.control);
        List<Timed> held = early.remove(k);
        if (held == null) {
            // held under the other orientation (the guess by port numbers can be wrong)
            held = early.remove(new FlowKey(k.server(), k.serverPort(), k.client(), k.clientPort()));
        }
        if (held != null) {
            for (Timed t : held) {
                TcpSegment seg = t.segment();
                apply(s, seg, seg.src().equals(s.client()) && seg.srcPort() == s.clientPort(), t.micros());
            }
        }
    }

    private void apply(FtpSession s, TcpSegment seg, boolean fromClient, long micros) {
        segments++;
        s.segments++;
        activity.get(s.id);
        ObservedDialogue.Result result = ObservedDialogue.Result.empty();
        long gapsBefore = s.dialogue.gaps();
        s.dialogue.segment(fromClient, seg, s.client().v6(), clock.instant(), result);
        gaps += s.dialogue.gaps() - gapsBefore;
        int bytes = seg.payload().length;
        if (fromClient) {
            s.clientBytes += bytes;
        } else {
            s.serverBytes += bytes;
        }
        result.lines().forEach(s::line);
        result.problems().forEach(p -> {
            s.note(p);
            emit("session-problem", s, p);
        });
        for (Negotiation n : result.negotiations()) {
            negotiated(s, n, micros);
        }
        if (!fromClient) {
            segmentRead.serverSegmentRead(s.id, seg); // repaired, refused or nothing to repair: decided
        }
    }

    private void negotiated(FtpSession s, Negotiation n, long micros) {
        channels++;
        ChannelPlan plan = planner.plan(s.control, n);
        int number = ++s.channelCount;
        if (plan.source() == ChannelPlan.Source.REPAIR && !budget.take(s.repairBudget)) {
            repairsLimited++;
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
        DataChannel c = new DataChannel(number, n, plan,
                plan.source() == ChannelPlan.Source.REFUSED ? DataChannel.State.REFUSED : DataChannel.State.PENDING,
                null, null, plan.why(), -1, clock.instant());
        s.addChannel(c);
        Expectation early = s.unclaimedKernel;
        if (early != null && c.matches(early) && plan.source() != ChannelPlan.Source.REPAIR
                && s.unclaimedKernelAt.plus(KERNEL_GRACE.multipliedBy(4)).isAfter(clock.instant())) {
            // the kernel's own expectation for this line, announced before the copy arrived
            s.unclaimedKernel = null;
            kernelExpectations++;
            c = plan.source() == ChannelPlan.Source.KERNEL ? c.withExpectation(early)
                    : c.withExpectation(early).with(DataChannel.State.EXPECTED, TOOK_AFTER_ALL);
            s.replace(c);
            emit("session-channel", s, "channel " + number + ": " + n.line() + " (kernel)");
            return;
        }
        emit("session-channel", s, "channel " + number + ": " + n.line() + " (" + plan.source().name().toLowerCase() + ")");
        switch (plan.source()) {
            case REFUSED -> {
                refused++;
                s.refused++;
                s.note(plan.why());
                if (Long.bitCount(s.refused) == 1) { // the 1st, 2nd, 4th, ...: a hostile peer cannot flood the log
                    try (SessionMdc mdc = SessionMdc.of(s)) {
                        log.warn("session {}: {}{}", s.id, plan.why(), s.refused > 1 ? " (" + s.refused + " refusals so far)" : "");
                    }
                }
            }
            case REPAIR -> {
                repair(s, c, plan.expectation(), micros, plan.why() + "; repaired", false);
                watchAdvertised(s, n, plan);
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
    private void watchAdvertised(FtpSession s, Negotiation n, ChannelPlan plan) {
        IpAddress named = n.offer().address().map(IpAddress::of).orElse(null);
        if (n.active() || named == null || named.equals(s.control.original().dst()) || named.v6() != s.client().v6()) {
            return;
        }
        AdvertisedKey key = new AdvertisedKey(s.client(), named, n.offer().port());
        if (s.advertised != null && !s.advertised.equals(key)) {
            // only the latest channel can be followed: one watch per session, in the model and in the set
            byAdvertised.remove(s.advertised, s);
            advertised.remove(s.advertised.client(), s.advertised.address(), s.advertised.port());
        }
        s.advertised = key;
        byAdvertised.put(key, s);
        try {
            advertised.add(key.client(), key.address(), key.port(), RepairPlanner.HELPER_TIMEOUT);
        } catch (Exception e) {
            // the set is full (its size bounds it) or nft failed: the repair stands, a client trusting the reply is not followed
            watchFailures++;
            String why = "cannot watch for clients going to " + named + ":" + key.port() + " (" + e.getMessage() + ")";
            s.note(why);
            if (Long.bitCount(watchFailures) == 1) {
                try (SessionMdc mdc = SessionMdc.of(s)) {
                    log.warn("session {}: {}; {} such refusals so far", s.id, why, watchFailures);
                }
            }
        }
    }

    /**
     * Puts the watched advertised addresses of open sessions back into the kernel's sets: an apply
     * replaces ftpnat's table whole, sets included. Each gets the helper's full timeout again (the
     * expectation it guards times out on its own). Returns how many were put back.
     */
    public synchronized int readvertise() {
        int restored = 0;
        for (Map.Entry<AdvertisedKey, FtpSession> e : byAdvertised.entrySet()) {
            if (e.getValue().closed) {
                continue;
            }
            AdvertisedKey key = e.getKey();
            try {
                advertised.add(key.client(), key.address(), key.port(), RepairPlanner.HELPER_TIMEOUT);
                restored++;
            } catch (Exception ex) {
                try (SessionMdc mdc = SessionMdc.of(e.getValue())) {
                    log.warn("session {}: cannot watch again for clients going to {}:{}: {}", e.getValue().id, key.address(), key.port(),
                            ex.toString());
                }
            }
        }
        return restored;
    }

    /**
     * The copy of a SYN to an address a repaired 227 advertised (nft set advertised4/6): this client
     * trusts the reply. The control connection's expectation moves there (with the same NAT, so the
     * connection still reaches the server); the client's retransmitted SYN is then RELATED.
     */
    public synchronized void onConnectAttempt(byte[] packet) {
        Optional<TcpSegment> decoded = TcpSegment.decode(packet);
        if (decoded.isEmpty()) {
            unmatched++;
            return;
        }
        TcpSegment syn = decoded.get();
        FtpSession s = byAdvertised.get(new AdvertisedKey(syn.src(), syn.dst(), syn.dstPort()));
        DataChannel c = s == null ? null : s.latestOpen();
        if (c == null || !c.open() || c.port() != syn.dstPort() || c.plan().source() != ChannelPlan.Source.REPAIR) {
            unmatched++;
            return;
        }
        if (c.expectation() != null && c.expectation().tuple().dst().equals(syn.dst())) {
            return; // a retransmission before ours took effect
        }
        Expectation planned = c.plan().expectation();
        Expectation moved = Expectation.create(planned.master(), Tuple.of(Tuple.TCP, syn.src(), 0, syn.dst(), syn.dstPort()),
                RepairPlanner.HELPER_TIMEOUT);
        if (planned.nat() != null) {
            moved = moved.withNat(planned.nat());
        }
        if (repair(s, c, moved, -1, c.note() + "; the client connected to " + syn.dst() + " as the reply said (it trusts it):"
                + " the expectation follows it there (the client's SYN retransmission passes)", false)) {
            repairs--; // the same channel's repair, moved: counted as followed
            followed++;
        }
    }

    /** Creates the expectation for the channel; false (counted, noted) when the kernel refuses. */
    private boolean repair(FtpSession s, DataChannel c, Expectation e, long micros, String note, boolean drift) {
        try {
            kernel.createExpectation(e);
        } catch (NetlinkException ex) {
            if (ex.errno() != EEXIST) { // EEXIST: the very same expectation is there already
                repairFailures++;
                String why = "the daemon could not create the expectation: " + ex.getMessage();
                s.replace(c.with(DataChannel.State.FAILED, c.note() + "; " + why));
                s.note(why);
                try (SessionMdc mdc = SessionMdc.of(s)) {
                    log.warn("session {} channel {}: {}", s.id, c.number(), why);
                }
                emit("session-repair-failed", s, why);
                return false;
            }
        }
        long took = micros > 0 ? Math.max(0, nowMicros() - micros) : -1;
        if (drift) {
            driftMissing++;
        } else {
            repairs++;
        }
        s.repairs++;
        s.replace(c.repaired(e, took, note));
        s.note(note);
        try (SessionMdc mdc = SessionMdc.of(s)) {
            log.info("session {} channel {}: {} ({} -> expect {})", s.id, c.number(), note, c.negotiation().line(), e.tuple());
        }
        emit(drift ? "session-drift-repaired" : "session-repaired", s, note);
        return true;
    }

    static long nowMicros() {
        Instant now = Instant.now(); // compared with the kernel's packet timestamps: real time
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    // ---- reconcile ----

    /**
     * Compares the model with the kernel's tables, read afresh, and makes them agree: control
     * connections the model missed are adopted (recovered), vanished ones closed; for each
     * session's open channel a missing expectation is created again (the kernel's own as it was,
     * or the planned one), an expectation on an observed session's master that belongs to no
     * channel is removed; expectations of control connections that are closing are removed
     * (orphans). {@code initial}: the daemon's first look, whose sessions count as recovered.
     */
    public synchronized ReconcileReport reconcile(boolean initial, boolean afterLoss) throws NetlinkException {
        return reconcile(initial, afterLoss, true);
    }

    /**
     * {@code full} false: the expectation table only (small), with the control and data
     * connections as the model's events left them — what an expectation event calls for; a busy
     * router's conntrack table is dumped only by the periodic (and the initial, and the after-loss)
     * reconcile.
     */
    public synchronized ReconcileReport reconcile(boolean initial, boolean afterLoss, boolean full) throws NetlinkException {
        long t0 = System.nanoTime();
        Map<Tuple, Conntrack> controls = new HashMap<>();
        Map<Tuple, List<Conntrack>> data = new HashMap<>();
        if (!full && !initial && !afterLoss) {
            for (FtpSession s : byId.values()) {
                if (!s.closed) {
                    controls.put(s.master(), s.control);
                    data.put(s.master(), new ArrayList<>(s.data));
                }
            }
        } else kernel.dumpConntrack(new DumpConsumer<>() {
            @Override
            public void accept(Conntrack c) {
                if (isControl(c)) {
                    controls.put(c.original(), c);
                } else if (c.master() != null) {
                    data.computeIfAbsent(c.master(), k -> new ArrayList<>(2)).add(c);
                }
            }

            @Override
            public void restart() {
                controls.clear();
                data.clear();
            }
        });
        Map<Tuple, List<Expectation>> expectations = new HashMap<>();
        int[] expectationCount = {0};
        kernel.dumpExpectations(new DumpConsumer<>() {
            @Override
            public void accept(Expectation e) {
                expectationCount[0]++;
                if (e.master() != null) {
                    expectations.computeIfAbsent(e.master(), k -> new ArrayList<>(1)).add(e);
                }
            }

            @Override
            public void restart() {
                expectations.clear();
                expectationCount[0] = 0;
            }
        });
        reconciles++;
        if (afterLoss) {
            resyncs++;
        }
        int adopted = 0;
        int created = 0;
        int removed = 0;
        int orphaned = 0;
        for (Conntrack c : controls.values()) {
            FtpSession s = byMaster.get(c.original());
            if (s == null) {
                s = track(c, initial, false);
                if (s == null) {
                    continue; // the table is full: the kernel's session stays unobserved (counted)
                }
                adopted++;
            } else {
                s.control = c;
            }
            for (Conntrack d : data.getOrDefault(c.original(), List.of())) {
                s.addData(d);
                s.connect(d);
            }
        }
        Instant now = clock.instant();
        for (FtpSession s : new ArrayList<>(byId.values())) {
            if (!s.closed && !controls.containsKey(s.master())) {
                close(s);
            }
            List<Expectation> held = expectations.getOrDefault(s.master(), List.of());
            if (s.closed) {
                continue;
            }
            if (closing(s.control)) {
                for (Expectation e : held) {
                    if (delete(s, e, "its control connection is closing (" + s.control.tcpState() + "): an orphan")) {
                        orphaned++;
                    }
                }
                continue;
            }
            DataChannel c = s.latestOpen();
            if (c != null) {
                Optional<Conntrack> used = data.getOrDefault(s.master(), List.of()).stream()
                        .filter(d -> c.matches(d)).findFirst();
                Optional<Expectation> mine = held.stream().filter(c::matches).findFirst();
                if (used.isPresent()) {
                    s.replace(c.connected(used.get()));
                } else if (c.changed().plusSeconds(RepairPlanner.HELPER_TIMEOUT).isBefore(now)) {
                    s.replace(c.with(DataChannel.State.ENDED, "the helper's timeout passed without a data connection"));
                } else if (mine.isPresent()) {
                    if (c.expectation() == null) {
                        s.replace(c.withExpectation(mine.get()));
                    }
                } else if ((c.plan().source() == ChannelPlan.Source.REPAIR || c.expectation() != null)
                        && held.stream().anyMatch(SessionModel::tooYoungToJudge)) {
                    continue; // the kernel just made another one: likely a newer negotiation the observer has not read yet
                } else if (c.plan().source() == ChannelPlan.Source.REPAIR || c.expectation() != null) {
                    // restorable: a repair ftpnatd owns, or the kernel's own expectation (c.expectation() of a
                    // KERNEL channel is only ever set from the kernel's event or dump): never from ftpnatd's parse
                    for (Expectation e : held) {
                        if (delete(s, e, "it took the slot of channel " + c.number() + " (ftp allows one expectation per control connection)")) {
                            removed++; // a stray took the master's only slot
                        }
                    }
                    Expectation want = c.expectation() != null ? forCreate(c.expectation()) : c.plan().expectation();
                    repair(s, c, want, -1, "expectation for channel " + c.number() + " vanished from the kernel; created again", true);
                    created++;
                    continue;
                } else if (c.negotiation().seen().plus(KERNEL_GRACE).isBefore(now) && !c.note().contains(KERNEL_MADE_NONE)) {
                    // the kernel helper refused it (or has not made it yet): ftpnatd does not make it in its place
                    s.replace(c.with(c.state(), c.note() + "; " + KERNEL_MADE_NONE));
                    s.note("channel " + c.number() + ": " + KERNEL_MADE_NONE);
                }
            }
            if (s.observed()) {
                DataChannel open = s.latestOpen();
                for (Expectation e : held) {
                    if (tooYoungToJudge(e)) {
                        continue; // the observer's copy of the line that made it may still be on its way
                    }
                    if (open == null || !open.matches(e)) {
                        if (delete(s, e, "no open data channel of the session negotiated it")) {
                            removed++;
                        }
                    }
                }
            }
        }
        purgeClosed(now);
        driftStray += removed;
        orphans += orphaned;
        ReconcileReport report = new ReconcileReport(controls.size(), expectationCount[0], adopted, created, removed, orphaned,
                (System.nanoTime() - t0) / 1000);
        if (adopted + created + removed + orphaned > 0 || afterLoss || initial) {
            log.info("reconcile{}: {}", afterLoss ? " after lost events" : initial ? " (start)" : "", report);
        }
        return report;
    }

    /**
     * An expectation the kernel made in the last {@link #STRAY_MIN_AGE_SECONDS} seconds is never taken
     * for a stray: the NFLOG copy of the reply or command that caused it and the kernel's event travel
     * on different sockets and threads, and under load the copy can arrive well after a reconcile that
     * the event triggered. Its age is what the helper's fixed timeout has left (the kernel reports the
     * seconds remaining; a timeout of its own, unknown here, makes it look old: judged as before).
     */
    private static boolean tooYoungToJudge(Expectation e) {
        return e.timeout() >= 0 && e.timeout() <= RepairPlanner.HELPER_TIMEOUT
                && RepairPlanner.HELPER_TIMEOUT - e.timeout() < STRAY_MIN_AGE_SECONDS;
    }

    /** See {@link #tooYoungToJudge}. */
    static final int STRAY_MIN_AGE_SECONDS = 10;

    /** What a reconcile found and did. */
    public record ReconcileReport(int controls, int expectations, int adopted, int created, int removed, int orphans,
                                  long micros) {
        @Override
        public String toString() {
            return controls + " FTP control connections, " + expectations + " expectations in the kernel; adopted " + adopted
                    + ", expectations created " + created + ", removed " + removed + " (strays) and " + orphans
                    + " (orphans) in " + micros / 1000 + " ms";
        }
    }

    private static boolean closing(Conntrack c) {
        TcpState t = c.tcpState();
        return t == TcpState.TIME_WAIT || t == TcpState.CLOSE || t == TcpState.LAST_ACK;
    }

    /** An expectation as dumped, made fit for creation again (the kernel's own, restored). */
    private static Expectation forCreate(Expectation e) {
        Expectation x = Expectation.create(e.master(), e.tuple(), RepairPlanner.HELPER_TIMEOUT).withMask(e.mask());
        if (e.nat() != null) {
            x = x.withNat(e.nat());
        }
        return x;
    }

    private boolean delete(FtpSession s, Expectation e, String why) {
        try {
            kernel.deleteExpectation(e.tuple());
            s.note("removed the expectation " + e.tuple() + ": " + why);
            try (SessionMdc mdc = SessionMdc.of(s)) {
                log.info("session {}: removed expectation {}: {}", s.id, e.tuple(), why);
            }
            emit("session-stray-removed", s, e.tuple().toString());
            return true;
        } catch (NetlinkException ex) {
            try (SessionMdc mdc = SessionMdc.of(s)) {
                log.debug("session {}: could not remove {}: {}", s.id, e.tuple(), ex.getMessage());
            }
            return false;
        }
    }

    /** Forgets closed sessions closed for longer than {@link #CLOSED_KEPT} before {@code now}; every closed one when null. */
    private void purgeClosed(Instant now) {
        for (FtpSession s : new ArrayList<>(byId.values())) {
            if (s.closed && (now == null || s.closedAt.plus(CLOSED_KEPT).isBefore(now))) {
                forget(s);
            }
        }
    }

    // ---- queries ----

    public synchronized List<SessionView> sessions() {
        List<SessionView> out = new ArrayList<>(byId.size());
        for (FtpSession s : byId.values()) {
            out.add(SessionView.of(s));
        }
        return out;
    }

    public synchronized Optional<SessionView> session(String id) {
        FtpSession s = byId.get(id);
        return s == null ? Optional.empty() : Optional.of(SessionView.of(s));
    }

    /** Open (not closed) sessions by rule name ("" for a session no rule of the policy names). */
    public synchronized java.util.Map<String, Integer> activeByRule() {
        java.util.Map<String, Integer> n = new java.util.TreeMap<>();
        for (FtpSession s : byId.values()) {
            if (!s.closed) {
                n.merge(s.rule, 1, Integer::sum);
            }
        }
        return n;
    }

    public synchronized SessionCounters counters() {
        int observed = 0;
        for (FtpSession s : byId.values()) {
            if (s.observed()) {
                observed++;
            }
        }
        return new SessionCounters(byId.size(), observed, segments, unmatched, channels, kernelExpectations, repairs,
                followed, repairFailures, refused, driftMissing, driftStray, reconciles, resyncs, recovered, orphans, gaps,
                repairsLimited, shed, notAdopted, watchFailures);
    }

    private void emit(String type, FtpSession s, String text) {
        if (listeners.isEmpty()) {
            return;
        }
        SessionEvent e = new SessionEvent(type, s.id, text, s.rule);
        for (Consumer<SessionEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                try (SessionMdc mdc = SessionMdc.of(s)) {
                    log.debug("session event listener failed: {}", ex.toString());
                }
            }
        }
    }
}
