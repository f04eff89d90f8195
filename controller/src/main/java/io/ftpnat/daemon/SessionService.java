package io.ftpnat.daemon;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.log.NflogHandler;
import io.ftpnat.nativ.netlink.log.NflogPacket;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.kernel.ControlPackets;
import io.ftpnat.ruleset.TableObjects;
import io.ftpnat.session.SessionModel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link SessionModel} fed and true: the daemon's own conntrack event subscription
 * (subscribe, then dump; a new full reconcile after lost events), the NFLOG observer of control
 * channels, and reconciles — periodic, on start, after losses, and shortly after an expectation
 * event on a tracked session. Three threads: conntrack-monitor, control-packets (which also serves
 * the hold, {@link ControlPacketLoop}), session-reconcile.
 * Nothing here can stop the daemon: every failure is logged and retried.
 */
final class SessionService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionService.class);
    /** An expectation event is followed by a reconcile this much later (the data connection's event comes first). */
    static final long EVENT_RECONCILE_DELAY_MILLIS = 300;
    /** The log prefix of the ruleset's copies of SYNs to addresses repaired 227s advertised. */
    static final String CONNECT_PREFIX = TableObjects.SYN_LOG_PREFIX;
    /**
     * Event-driven reconciles (each a full dump of both tables) are at least this far apart, so a
     * busy router's expectation events cost at most one dump a second, not one per event.
     */
    static final long EVENT_RECONCILE_SPACING_MILLIS = 1000;

    private final SessionModel model;
    private final EventLoss eventLoss;
    private final Duration interval;
    private final int eventsBuffer;
    private final ScheduledExecutorService reconciler;
    private final CountDownLatch firstLook = new CountDownLatch(1);
    private final AtomicBoolean pendingLoss = new AtomicBoolean();
    private final AtomicLong observerLosses = new AtomicLong();
    private final AtomicLong observedPackets = new AtomicLong();
    private volatile ScheduledFuture<?> soon;
    private volatile long lastReconcileNanos;
    private volatile boolean initialDone;
    private final ConntrackTables tables;
    private final ControlPackets control;
    private ConntrackTables.EventMonitor monitor;
    private ControlPacketLoop observer;
    private HoldService hold;
    private int packetThreadNice;

    SessionService(SessionModel model, ConntrackTables tables, ControlPackets control, EventLoss eventLoss, Duration interval,
            int eventsBuffer) {
        this.model = model;
        this.tables = tables;
        this.control = control;
        this.eventLoss = eventLoss;
        this.interval = interval;
        this.eventsBuffer = eventsBuffer;
        this.reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "session-reconcile");
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits (bounded) until the model has had its first look at the kernel's tables. */
    boolean awaitReady(Duration max) {
        try {
            return firstLook.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    SessionModel model() {
        return model;
    }

    long observerLosses() {
        return observerLosses.get();
    }

    long observedPackets() {
        return observedPackets.get();
    }

    String observerProblem() {
        return observer == null ? null : observer.problem();
    }

    int eventsReceiveBuffer() {
        return monitor == null ? -1 : monitor.receiveBufferSize();
    }

    /**
     * Starts everything and waits (bounded) for the first reconcile, so the model holds what the
     * kernel holds (sessions of a previous daemon included) before the API serves it.
     */
    void start(Duration waitForFirstLook) throws InterruptedException {
        startObserver();
        try {
            monitor = tables.monitor(eventsBuffer, new Listener());
            log.info("conntrack events: {} (docs/netlink.md)", monitor.kernelFiltered()
                    ? "filtered in the kernel, FTP control and data connections and expectations only"
                    : "not filtered in the kernel (no socket filter); all are decoded");
        } catch (NetlinkException e) {
            log.error("cannot subscribe to conntrack events ({}); sessions are reconciled every {} s only",
                    e.getMessage(), interval.toSeconds());
            requestReconcile(0);
        }
        long every = Math.max(100, interval.toMillis());
        reconciler.scheduleWithFixedDelay(() -> reconcile(true), every, every, TimeUnit.MILLISECONDS);
        if (!firstLook.await(waitForFirstLook.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("the kernel tables were not read within {} s; serving anyway", waitForFirstLook.toSeconds());
        }
    }

    private void startObserver() {
        observer = new ControlPacketLoop(control, copies, hold, packetThreadNice);
        observer.start();
    }

    /** Serve this hold on the observer's thread, which runs at {@code nice} (before {@link #start}). */
    void holdWith(HoldService hold, int nice) {
        this.hold = hold;
        this.packetThreadNice = nice;
    }

    /** Each NFLOG copy of a control packet (or of a SYN to a watched address), on whichever thread read it. */
    private final NflogHandler copies = new NflogHandler() {
        @Override
        public void onPacket(NflogPacket p) {
            observedPackets.incrementAndGet();
            if (CONNECT_PREFIX.equals(p.prefix())) {
                model.onConnectAttempt(p.payload());
            } else {
                model.onPacket(p.payload(), p.timestampMicros());
            }
        }

        @Override
        public void onPacketsLost() {
            // the observer sees the hole in the sequence numbers and resynchronises at the next line
            observerLosses.incrementAndGet();
            log.warn("the kernel dropped NFLOG copies of control packets (receive buffer full)");
        }
    };

    /** Runs a reconcile on the reconcile thread after {@code delayMillis} (coalesced). */
    void requestReconcile(long delayMillis) {
        ScheduledFuture<?> s = soon;
        if (s != null && !s.isDone()) {
            return;
        }
        long sinceLast = (System.nanoTime() - lastReconcileNanos) / 1_000_000;
        long delay = delayMillis == 0 ? 0 : Math.max(delayMillis, EVENT_RECONCILE_SPACING_MILLIS - sinceLast);
        try {
            // right away (start, lost events): a full one; after an expectation event: expectations only
            boolean full = delayMillis == 0;
            soon = reconciler.schedule(() -> reconcile(full), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private void reconcile(boolean full) {
        boolean initial = !initialDone;
        boolean afterLoss = pendingLoss.getAndSet(false);
        try {
            lastReconcileNanos = System.nanoTime();
            model.reconcile(initial, afterLoss, full);
            if (initial) {
                initialDone = true;
                var c = model.counters();
                log.info("session model rebuilt from the kernel: {} FTP sessions recovered, {} orphan expectations removed",
                        c.recovered(), c.orphansRemoved());
                firstLook.countDown();
            }
        } catch (NetlinkException | RuntimeException e) {
            if (afterLoss) {
                pendingLoss.set(true);
            }
            log.warn("reconcile failed: {}", e.toString());
        } catch (VirtualMachineError e) {
            io.ftpnat.alg.Fatal.halt("reconcile", e);
        } catch (Error e) {
            // A scheduled task that throws is never run again, silently: log it and keep the schedule.
            if (afterLoss) {
                pendingLoss.set(true);
            }
            log.error("reconcile failed with an error; it runs again at its next turn", e);
        }
    }

    private final class Listener implements ConntrackMonitor.Listener {
        @Override
        public void onSnapshotBegin(boolean afterLoss) {
            if (afterLoss) {
                eventLoss.record();
                pendingLoss.set(true);
                log.warn("conntrack events were lost (ENOBUFS): resynchronising the session model with the kernel");
            }
        }

        @Override
        public void onConntrack(Conntrack entry) {
            // the monitor's snapshot: the reconcile that follows reads the tables itself
        }

        @Override
        public void onSnapshotEnd() {
            requestReconcile(0);
        }

        @Override
        public void onEvent(ConntrackEvent event) {
            model.onConntrackEvent(event);
        }

        @Override
        public void onExpectationEvent(ExpectationEvent event) {
            if (model.onExpectationEvent(event)) {
                requestReconcile(EVENT_RECONCILE_DELAY_MILLIS);
            }
        }

        @Override
        public void onError(NetlinkException error) {
            log.warn("conntrack monitor: {} (it takes a new snapshot)", error.getMessage());
        }
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
        }
        reconciler.shutdownNow();
        if (observer != null) {
            observer.close();
        }
    }
}
