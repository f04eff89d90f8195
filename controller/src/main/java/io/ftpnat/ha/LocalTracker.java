package io.ftpnat.ha;

import io.ftpnat.kernel.FtpFailoverKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.nativ.netlink.conntrack.EventHandler;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This router's FTP control connections, told to the peer. Only the kernel helper's expectation
 * events (groups EXP_NEW and EXP_DESTROY) are followed, so other connections cost nothing: a new
 * expectation names its control connection, which is then read with one targeted GET (with its
 * sequence adjustments, which no event carries) right away and again {@link #SECOND_LOOK_MILLIS}
 * later, and sent to the peer. Every {@link #REFRESH_SECONDS} each tracked connection is read
 * again: gone ones are withdrawn (GONE), the others re-sent, so the peer's table stays live.
 *
 * <p>One thread does the kernel reads and the sends (a single-thread executor: no locking of the
 * table), one reads the events. Bounded: at most {@link #MAX_TRACKED} connections.
 */
final class LocalTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalTracker.class);
    static final int MAX_TRACKED = 65_536;
    static final long SECOND_LOOK_MILLIS = 100;
    static final long REFRESH_SECONDS = 30;
    static final long HELLO_SECONDS = 2;

    private final FtpFailoverKernel kernel;
    private final HaLink link;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ha-sync");
        t.setDaemon(true);
        return t;
    });
    private final Map<Tuple, FtpControlState> tracked = new LinkedHashMap<>();
    private final Thread events;
    private volatile boolean closed;
    private volatile int trackedCount;
    private long refusedFull;

    LocalTracker(FtpFailoverKernel kernel, HaLink link) {
        this.kernel = kernel;
        this.link = link;
        this.events = new Thread(this::followEvents, "ha-events");
        events.setDaemon(true);
    }

    void start() {
        events.start();
        worker.execute(this::trackExisting);
        worker.scheduleWithFixedDelay(this::refreshAll, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
        worker.scheduleWithFixedDelay(() -> link.send(HaWire.Type.HELLO, null, null), 0, HELLO_SECONDS, TimeUnit.SECONDS);
    }

    int trackedCount() {
        return trackedCount;
    }

    /** The peer restarted (a new boot id): tell it everything. */
    void sendAll() {
        worker.execute(() -> tracked.values().forEach(s -> link.send(HaWire.Type.STATE, s, null)));
    }

    /** After a promotion: the connections this router now carries, kept and told to the peer. */
    void adopt(Iterable<FtpControlState> states) {
        worker.execute(() -> states.forEach(s -> {
            if (track(s)) {
                link.send(HaWire.Type.STATE, s, null);
            }
        }));
    }

    private void followEvents() {
        while (!closed) {
            try (ConntrackTables.EventStream ev = kernel.subscribeExpectations()) {
                while (!closed) {
                    ev.poll(new EventHandler() {
                        @Override
                        public void onConntrack(ConntrackEvent event) {
                        }

                        @Override
                        public void onExpectation(ExpectationEvent event) {
                            expectation(event);
                        }

                        @Override
                        public void onEventsLost() {
                            log.warn("HA: expectation events lost; re-reading the expectation table");
                            worker.execute(LocalTracker.this::trackExisting);
                        }
                    }, 1000);
                }
            } catch (NetlinkException | RuntimeException e) {
                if (!closed) {
                    log.warn("HA: expectation events failed ({}); subscribing again in 1 s", e.toString());
                    sleep(1000);
                }
            }
        }
    }

    private void expectation(ExpectationEvent event) {
        Expectation e = event.expectation();
        if (e.master() == null || !"ftp".equals(e.helper())) {
            return;
        }
        Tuple master = e.master();
        if (event.type() == ExpectationEvent.Type.NEW) {
            worker.execute(() -> {
                FtpControlState s = tracked.getOrDefault(master, new FtpControlState(master, SequenceAdjustments.NONE, null));
                if (track(s.withExpectation(e))) {
                    refresh(master, true);
                }
            });
            worker.schedule(() -> refresh(master, false), SECOND_LOOK_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            worker.execute(() -> {
                FtpControlState s = tracked.get(master);
                if (s != null && s.expectation() != null && s.expectation().tuple().equals(e.tuple())) {
                    tracked.put(master, s.withExpectation(null));
                    refresh(master, true);
                }
            });
        }
    }

    private boolean track(FtpControlState s) {
        if (!tracked.containsKey(s.master()) && tracked.size() >= MAX_TRACKED) {
            if (refusedFull++ % 1000 == 0) {
                log.warn("HA: {} FTP control connections tracked already; {} not replicated (and {} before it)",
                        MAX_TRACKED, s.master(), refusedFull - 1);
            }
            return false;
        }
        tracked.put(s.master(), s);
        trackedCount = tracked.size();
        return true;
    }

    /** Reads the connection's adjustments; sends its state when it changed (or always), GONE when it ended. */
    private void refresh(Tuple master, boolean always) {
        FtpControlState s = tracked.get(master);
        if (s == null) {
            return;
        }
        try {
            Optional<SequenceAdjustments> adj = kernel.sequenceAdjustments(master);
            if (adj.isEmpty()) {
                tracked.remove(master);
                trackedCount = tracked.size();
                link.send(HaWire.Type.GONE, null, master);
                return;
            }
            FtpControlState now = s.withAdjustments(adj.get());
            tracked.put(master, now);
            if (always || !now.equals(s)) {
                link.send(HaWire.Type.STATE, now, null);
            }
        } catch (NetlinkException | RuntimeException e) {
            log.warn("HA: control {}: cannot read its sequence adjustments: {}", master, e.toString());
        }
    }

    private void refreshAll() {
        for (Tuple m : java.util.List.copyOf(tracked.keySet())) {
            refresh(m, true);
        }
    }

    /**
     * At start and after lost events: every connection carrying the ftp helper (one dump; an idle
     * control connection may hold an adjustment and no expectation), then the helper's pending
     * expectations.
     */
    private void trackExisting() {
        try {
            for (Tuple control : kernel.ftpControlConnections()) {
                if (!tracked.containsKey(control) && track(new FtpControlState(control, SequenceAdjustments.NONE, null))) {
                    refresh(control, false);
                }
            }
        } catch (NetlinkException | RuntimeException e) {
            log.warn("HA: cannot read the FTP control connections: {}", e.toString());
        }
        try {
            for (Expectation e : kernel.expectations()) {
                if (e.master() != null && "ftp".equals(e.helper())) {
                    FtpControlState s = tracked.getOrDefault(e.master(), new FtpControlState(e.master(), SequenceAdjustments.NONE, null));
                    if (track(s.withExpectation(e))) {
                        refresh(e.master(), true);
                    }
                }
            }
        } catch (NetlinkException | RuntimeException e) {
            log.warn("HA: cannot read the expectation table: {}", e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
    }
}
