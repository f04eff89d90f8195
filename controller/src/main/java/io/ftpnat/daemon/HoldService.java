package io.ftpnat.daemon;

import io.ftpnat.kernel.SegmentHold;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.session.HeldSegments;
import io.ftpnat.session.SessionModel;
import io.ftpnat.session.TcpSegment;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the segments that may need a repair until the repair is in (docs/netlink.md, "Holding a
 * reply until its repair is in"): the thread {@code segment-hold} takes what the kernel queued.
 * <ul>
 * <li>A server's 227/228 (forward hook) is read by the model right here when it has read everything
 * before it ({@link SessionModel#readHeld}), then released. Otherwise it waits until the model has
 * read its NFLOG copy — then any repair it called for is in the kernel — and is released from the
 * observer's thread ({@link SessionModel#onServerSegmentRead}); at the latest at its deadline,
 * logged with the session.
 * <li>A client's SYN to an address a repaired 227 advertised (prerouting, before conntrack) is the
 * observation itself: the model moves the expectation there, then the SYN goes on and finds it.
 * </ul>
 * A hold only ever delays: every packet is released (accepted), none is dropped. Nothing here can
 * stop the daemon; with the daemon gone the kernel's bypass lets the segments pass.
 */
final class HoldService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HoldService.class);
    private static final int IDLE_POLL_MILLIS = 200;

    private final SegmentHold hold;
    private final HeldSegments held;
    private final SessionModel model;
    private volatile boolean running = true;
    private long heldSyns;
    private long readHere;
    private final java.util.concurrent.atomic.AtomicLong releaseFailures = new java.util.concurrent.atomic.AtomicLong();
    private Thread thread;

    HoldService(SegmentHold hold, HeldSegments held, SessionModel model) {
        this.hold = hold;
        this.held = held;
        this.model = model;
    }

    void start() {
        model.onServerSegmentRead((sessionId, segment) -> {
            long id = held.read(segment);
            if (id >= 0) {
                release(id, sessionId);
            }
        });
        thread = new Thread(this::run, "segment-hold");
        thread.setDaemon(true);
        thread.start();
    }

    /** After every apply: the new table's hold chain gets its queueing rule. */
    void installInto(String table) {
        try {
            hold.installInto(table);
            log.info("holding 227/228 replies that may need a repair until it is in: {}", hold.mechanism());
        } catch (NetlinkException e) {
            log.error("cannot install the hold's queueing rule in table inet {} ({}): replies are not held,"
                    + " a LAN client may race the repair", table, e.getMessage());
        }
    }

    private void run() {
        int failures = 0;
        while (running) {
            try {
                hold.awaitHeld(this::onHeld, held.millisToNextDeadline(IDLE_POLL_MILLIS));
                for (HeldSegments.Overdue o : held.overdue()) {
                    TcpSegment s = o.segment();
                    Optional<String> id = model.sessionIdOf(s.src(), s.srcPort(), s.dst(), s.dstPort());
                    log.warn("session {}: a held {} released at its deadline ({} ms) before the daemon read it (its NFLOG"
                            + " copy late or lost): a repair it needs may come after the client", id.orElse("?"),
                            new String(s.payload(), 0, 3, java.nio.charset.StandardCharsets.US_ASCII), o.held().toMillis());
                    release(o.id(), id.orElse("?"));
                }
                failures = 0;
            } catch (NetlinkException | RuntimeException e) {
                if (failures++ == 0) {
                    log.error("segment hold: {} (held segments still go at their deadline or by the kernel's bypass)", e.getMessage());
                }
                sleep(Math.min(1000, 10L * failures));
            }
        }
    }

    private void onHeld(SegmentHold.Held h) {
        Optional<TcpSegment> seg = TcpSegment.decode(h.packet());
        if (seg.isEmpty()) {
            release(h.id(), "?");
            return;
        }
        if (h.hook() == SegmentHold.Held.PREROUTING) {
            heldSyns++;
            model.onConnectAttempt(h.packet()); // moves the expectation where this client goes
            release(h.id(), "?");
            return;
        }
        if (model.readHeld(h.packet())) {
            readHere++; // the model had read all before it: read (and repaired) here, one wake-up instead of two
            release(h.id(), "?");
            return;
        }
        if (held.arrived(h.id(), seg.get())) {
            release(h.id(), "?");
        }
    }

    private void release(long id, String sessionId) {
        try {
            hold.release(id);
        } catch (NetlinkException e) {
            releaseFailures.incrementAndGet();
            log.warn("session {}: releasing held packet {} failed: {}", sessionId, id, e.getMessage());
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }

    String describe() {
        HeldSegments.Counters c = held.counters();
        return (c.held() + readHere) + " replies held (" + readHere + " read by the queue reader itself, " + c.releasedAfterRead() + " released after the daemon read them, " + c.releasedAtOnce()
                + " at once, " + c.releasedAtDeadline() + " at the deadline; held µs p50 " + held.heldMicrosPercentile(50) + " p99 "
                + held.heldMicrosPercentile(99) + " max " + c.maxHeldMicros() + "), " + heldSyns
                + " SYNs held, " + hold.overflows() + " queue overflows, " + releaseFailures.get() + " release failures";
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Unbinding makes the kernel drop what is still queued (nfqnl_flush): release it first. Bypass
        // covers only what arrives after. (A SIGKILL cannot do this: TCP retransmits those few.)
        for (long id : held.drain()) {
            release(id, "?");
        }
        log.info("segment hold: {}", describe());
        hold.close();
    }
}
