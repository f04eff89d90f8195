package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;
import io.ftpnat.kernel.SessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's model of every FTP session on the router, kept equal to the kernel: the control
 * connections that carry the ftp helper (conntrack events and dumps), their dialogue (the
 * observer's packet copies), the data channels negotiated on them, the expectations the kernel
 * holds for them and the data connections that followed.
 *
 * <p>This class is the shell: it takes the model's lock, hands the work to its parts and carries
 * out, outside the lock, the {@link KernelAction}s they decide. The parts: {@link SessionIndex}
 * (the sessions, found by id, master, flow, advertised address), {@link EarlyPackets} (copies that
 * came before their session), {@link DialogueReader} (a control segment read into its session),
 * {@link Repairer} (what a negotiation becomes, and the repair the helper will not make) and
 * {@link Reconciler} (the pure diff of the model against the kernel).
 *
 * <p>The daemon never creates a data channel the kernel helper refuses. It creates or restores an
 * expectation in two cases only: a channel the kernel itself accepted (its own expectation, seen in
 * an event or a dump, put back after drift), and a repair it owns that the policy allows (a server's
 * 227/228 naming a foreign address, read where the kernel reads, scoped to the master's peer,
 * within {@link RepairBudget}). A client's PORT/EPRT the kernel did not take — NAT slipstreaming —
 * is refused and diagnosed, never "restored".
 *
 * <p>Bounded: {@link #MAX_SESSIONS} sessions (at the cap the least recently active is shed, live or
 * not, with a log line), each bounded ({@link FtpSession}), early copies ({@link EarlyPackets}),
 * repairs per session and in all per second, watched advertised addresses one per session.
 *
 * <p>Thread-safe: packets, events, reconciles and queries come from different threads. The model's
 * state is touched only under its lock; kernel calls are made outside it, one at a time (the kernel
 * turn), each followed by its outcome recorded under the lock again.
 */
public final class SessionModel {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);
    /** See {@link Reconciler#KERNEL_GRACE}. */
    static final Duration KERNEL_GRACE = Reconciler.KERNEL_GRACE;
    /** See {@link Reconciler#STRAY_MIN_AGE_SECONDS}. */
    static final int STRAY_MIN_AGE_SECONDS = Reconciler.STRAY_MIN_AGE_SECONDS;
    static final String KERNEL_MADE_NONE = Reconciler.KERNEL_MADE_NONE;
    static final Duration CLOSED_KEPT = Duration.ofSeconds(60);
    /** Sessions held: with at most ~14 KiB each (FtpSession, SessionMemoryTest), within the daemon's 256 MiB heap. */
    static final int MAX_SESSIONS = 15_000;

    private final SessionKernel kernel;
    private final Clock clock;
    private final ModelCounts counts = new ModelCounts();
    private final SessionIndex index = new SessionIndex();
    private final EarlyPackets early = new EarlyPackets();
    private final SessionListeners listeners = new SessionListeners();
    private final Repairer repairer;
    private final DialogueReader reader;
    private final KernelTurn turn;
    private final SessionLifecycle lifecycle;
    private final Reconciliation reconciliation;

    /**
     * Told when a server's segment has been read to its end and the kernel actions it called for
     * (a repair) are carried out or their failure recorded, so a hold of that segment may end
     * (docs/netlink.md, "Holding a reply until its repair is in"). Called outside the model's lock.
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
     * it in both directions ({@link ObservedDialogue#caughtUp}): then any repair it calls for is in
     * the kernel when this returns true, without waiting for its NFLOG copy (which is then a
     * retransmission to the dialogue, skipped). False when it cannot be read yet: its copy decides.
     */
    public boolean readHeld(byte[] packet) {
        Optional<TcpSegment> decoded = TcpSegment.decode(packet);
        long ack = TcpSegment.ackOf(packet);
        if (decoded.isEmpty() || ack < 0) {
            return false;
        }
        TcpSegment seg = decoded.get();
        List<KernelAction> actions = new ArrayList<>(0);
        synchronized (this) {
            FtpSession s = index.byFlow(new ControlFlow(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort()));
            if (s == null || s.closed || !s.dialogue.caughtUp(seg.seq(), ack)) {
                return false;
            }
            reader.read(s, seg, false, Repairer.micros(clock.instant()), actions);
        }
        turn.carryOut(actions);
        return true;
    }

    /** The id of the session whose control connection is this flow (either orientation), for logs. */
    public synchronized Optional<String> sessionIdOf(IpAddress a, int aPort, IpAddress b, int bPort) {
        FtpSession s = index.byFlow(new ControlFlow(a, aPort, b, bPort));
        if (s == null) {
            s = index.byFlow(new ControlFlow(b, bPort, a, aPort));
        }
        return s == null ? Optional.empty() : Optional.of(s.id);
    }

    /** How to name a new session's rule: the daemon reads it from the policy in force. */
    public void nameRulesWith(Function<Conntrack, String> ruleOf) {
        lifecycle.nameRulesWith(ruleOf);
    }

    public SessionModel(SessionKernel kernel, RepairPlanner planner) {
        this(kernel, planner, AdvertisedAddresses.NONE);
    }

    public SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised) {
        this(kernel, planner, advertised, Clock.systemUTC());
    }

    /** @param clock every time the model reads (timeouts, grace periods, budgets, stamps): tests move it by hand */
    public SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised, Clock clock) {
        this(kernel, planner, advertised, clock, new RepairBudget(clock), MAX_SESSIONS);
    }

    /**
     * The router-wide repair budget unless the operator says otherwise ({@code --repair-rate}):
     * twice this many at once, then this many a second. A repair costs the packet thread ~0.3 ms
     * (docs/benchmarks.md, #13): 200/s is ~6 % of a core, about what a LAN client of a misconfigured
     * published server needs when it fetches small files at full speed.
     */
    public static final int DEFAULT_REPAIRS_PER_SECOND = 200;

    /** @param repairsPerSecond the router-wide repair budget: twice this many at once, then this many a second */
    public SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised, Clock clock, int repairsPerSecond) {
        this(kernel, planner, advertised, clock, new RepairBudget(clock, repairsPerSecond), MAX_SESSIONS);
    }

    SessionModel(SessionKernel kernel, RepairPlanner planner, AdvertisedAddresses advertised, Clock clock, RepairBudget budget,
            int maxSessions) {
        this.kernel = kernel;
        this.clock = clock;
        this.repairer = new Repairer(planner, budget, clock, counts, index, listeners);
        this.reader = new DialogueReader(clock, counts, index, listeners, repairer);
        this.turn = new KernelTurn(kernel, advertised, this, index, repairer, listeners);
        this.lifecycle = new SessionLifecycle(clock, maxSessions, CLOSED_KEPT, counts, index, repairer, listeners);
        this.reconciliation = new Reconciliation(this, kernel, clock, counts, index, lifecycle, turn);
    }

    public void addListener(Consumer<SessionEvent> l) {
        listeners.add(l);
    }

    public void removeListener(Consumer<SessionEvent> l) {
        listeners.remove(l);
    }

    // ---- the kernel's conntrack table ----

    /** A conntrack entry from a dump or an event (NEW or UPDATE). */
    public void onConntrack(Conntrack c) {
        List<KernelAction> actions = new ArrayList<>(0);
        List<TcpSegment> replayed = new ArrayList<>(0);
        String session;
        synchronized (this) {
            session = conntrack(c, actions, replayed);
        }
        turn.carryOut(actions, () -> replayed.forEach(seg -> segmentRead.serverSegmentRead(session, seg)));
    }

    public void onConntrackEvent(ConntrackEvent e) {
        List<KernelAction> actions = new ArrayList<>(0);
        List<TcpSegment> replayed = new ArrayList<>(0);
        String session = null;
        synchronized (this) {
            Conntrack c = e.conntrack();
            FtpSession s;
            if (e.type() != ConntrackEvent.Type.DESTROY) {
                session = conntrack(c, actions, replayed);
            } else if ((s = index.byMaster(c.original())) != null && !s.closed && !s.replacedBy(c)) {
                s.control = c;
                lifecycle.close(s);
            } else if (c.master() != null && (s = index.byMaster(c.master())) != null) {
                s.addData(c); // with its final counters
            }
        }
        String id = session;
        turn.carryOut(actions, () -> replayed.forEach(seg -> segmentRead.serverSegmentRead(id, seg)));
    }

    /**
     * A control connection met for the first time takes the copies that came before it: its server
     * segments read then are added to {@code replayed} (a held reply among them may go on once the
     * actions are carried out). Returns the session's id, or null.
     */
    private String conntrack(Conntrack c, List<KernelAction> actions, List<TcpSegment> replayed) {
        if (KernelDumps.isControl(c)) {
            FtpSession s = lifecycle.current(c);
            if (s == null) {
                s = adopt(c, false, true, actions, replayed);
            } else {
                s.control = c;
                index.touch(s);
            }
            return s.id;
        } else if (c.master() != null) {
            lifecycle.dataConnection(c);
        }
        return null;
    }

    /**
     * Tracks a control connection met for the first time, by its event or in a reconcile's dump
     * (whichever comes first), and reads the copies that came before it: its server segments read
     * then are added to {@code replayed}. Null when the table is full and {@code mayShed} is false.
     * Under the model's lock; the caller carries the actions out, then announces {@code replayed}.
     */
    FtpSession adopt(Conntrack c, boolean fromSnapshot, boolean mayShed, List<KernelAction> actions, List<TcpSegment> replayed) {
        FtpSession s = lifecycle.track(c, fromSnapshot, mayShed);
        if (s == null) {
            return null;
        }
        for (EarlyPackets.Held h : early.take(SessionIndex.flowOf(s.control))) {
            TcpSegment seg = h.segment();
            boolean fromClient = seg.src().equals(s.client()) && seg.srcPort() == s.clientPort();
            reader.read(s, seg, fromClient, h.micros(), actions);
            if (!fromClient) {
                replayed.add(seg);
            }
        }
        return s;
    }

    /** After {@link #adopt}: carries its actions out, then tells the hold the replayed server segments were read. Outside the lock. */
    void carryOutAdoption(String session, List<KernelAction> actions, List<TcpSegment> replayed) {
        turn.carryOut(actions, () -> replayed.forEach(seg -> segmentRead.serverSegmentRead(session, seg)));
    }

    /** Returns whether the event concerns a tracked session (worth a reconcile soon). */
    public synchronized boolean onExpectationEvent(ExpectationEvent e) {
        return lifecycle.kernelExpectation(e);
    }

    // ---- the observer's copies ----

    /**
     * A copy of a control-channel packet (network layer first). Never throws for bad input: a
     * packet that is not TCP or not of a known control connection is counted and dropped. When it
     * returns, every expectation the segment called for (a repair) is in the kernel, or its failure
     * is recorded: a caller holding the original segment may let it go then.
     *
     * @param micros when the kernel saw it (microseconds since the epoch), or -1
     */
    public void onPacket(byte[] packet, long micros) {
        List<KernelAction> actions = new ArrayList<>(0);
        TcpSegment readServer = null;
        String readSession = null;
        synchronized (this) {
            Optional<TcpSegment> decoded = TcpSegment.decode(packet);
            if (decoded.isEmpty()) {
                counts.unmatched++;
                return;
            }
            TcpSegment seg = decoded.get();
            ControlFlow toServer = new ControlFlow(seg.src(), seg.srcPort(), seg.dst(), seg.dstPort());
            ControlFlow toClient = toServer.reversed();
            FtpSession s = index.byFlow(toServer);
            boolean fromClient = s != null;
            if (s == null) {
                s = index.byFlow(toClient);
            }
            if (s != null && (s.closed || s.dialogue.foreign(fromClient, seg))) {
                s = null; // a newer connection on the same ports: its copies wait for its conntrack event like any other's
            }
            if (s == null) {
                ControlFlow guess = seg.srcPort() < seg.dstPort() ? toClient : toServer;
                if (!early.hold(guess, new EarlyPackets.Held(seg, micros, clock.instant()))) {
                    counts.unmatched++;
                }
                return;
            }
            reader.read(s, seg, fromClient, micros, actions);
            if (!fromClient) {
                readServer = seg;
                readSession = s.id;
            }
        }
        TcpSegment read = readServer;
        String session = readSession;
        // repaired (the kernel has it), refused or nothing to repair: decided; the outcome's bookkeeping follows
        turn.carryOut(actions, () -> {
            if (read != null) {
                segmentRead.serverSegmentRead(session, read);
            }
        });
    }

    /**
     * The copy of a SYN to an address a repaired 227 advertised (nft set advertised4/6): this client
     * trusts the reply, and the expectation follows it there ({@link Repairer#follow}).
     */
    public void onConnectAttempt(byte[] packet) {
        onConnectAttempt(packet, () -> { });
    }

    /** As {@link #onConnectAttempt(byte[])}; {@code kernelDone} runs once, as soon as the kernel has what the SYN needs. */
    public void onConnectAttempt(byte[] packet, Runnable kernelDone) {
        KernelAction.CreateExpectation follow = null;
        synchronized (this) {
            Optional<TcpSegment> decoded = TcpSegment.decode(packet);
            if (decoded.isEmpty()) {
                counts.unmatched++;
            } else {
                follow = repairer.follow(decoded.get());
            }
        }
        turn.carryOut(follow == null ? List.of() : List.of(follow), kernelDone);
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
    public ReconcileReport reconcile(boolean initial, boolean afterLoss) throws NetlinkException {
        return reconcile(initial, afterLoss, true);
    }

    /**
     * {@code full} false: the expectation table only (small), with the control and data
     * connections as the model's events left them — what an expectation event calls for; a busy
     * router's conntrack table is dumped only by the periodic (and the initial, and the after-loss)
     * reconcile. The dumps and the kernel actions happen outside the model's lock; the decision
     * ({@link Reconciler#diff}) under it.
     */
    public ReconcileReport reconcile(boolean initial, boolean afterLoss, boolean full) throws NetlinkException {
        return reconciliation.run(initial, afterLoss, full);
    }

    // ---- queries ----

    public synchronized List<SessionSnapshot> sessions() {
        List<SessionSnapshot> out = new ArrayList<>(index.size());
        for (FtpSession s : index.all()) {
            out.add(SessionSnapshot.of(s));
        }
        return out;
    }

    public synchronized Optional<SessionSnapshot> session(String id) {
        FtpSession s = index.byId(id);
        return s == null ? Optional.empty() : Optional.of(SessionSnapshot.of(s));
    }

    /** Open (not closed) sessions by rule name ("" for a session no rule of the policy names). */
    public synchronized Map<String, Integer> activeByRule() {
        Map<String, Integer> n = new TreeMap<>();
        for (FtpSession s : index.all()) {
            if (!s.closed) {
                n.merge(s.rule, 1, Integer::sum);
            }
        }
        return n;
    }

    public synchronized SessionCounters counters() {
        int observed = 0;
        for (FtpSession s : index.all()) {
            if (s.observed()) {
                observed++;
            }
        }
        return counts.snapshot(index.size(), observed);
    }
}
