package io.ftpnat.daemon;

import io.ftpnat.kernel.SegmentHold;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.session.HeldSegments;
import io.ftpnat.session.RecentDurations;
import io.ftpnat.session.SessionModel;
import io.ftpnat.session.TcpSegment;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the segments that may need a repair until the repair is in (docs/netlink.md, "Holding a
 * reply until its repair is in"). It has no thread of its own: {@link ControlPacketLoop} serves it
 * on the thread that reads the NFLOG copies, after the copies waiting at the same moment.
 * <ul>
 * <li>A server's 227/228 (forward hook) has then usually been read already from its copy, with the
 * copies ahead of it: it goes on at once. Else the model reads it right here when it has read
 * everything before it ({@link SessionModel#readHeld}), after the copies that arrived meanwhile.
 * Otherwise it waits for its copy ({@link SessionModel#onServerSegmentRead}); at the latest until
 * its deadline, logged with the session.
 * <li>A client's SYN to an address a repaired 227 advertised (prerouting, before conntrack) is the
 * observation itself: the model moves the expectation there, then the SYN goes on and finds it.
 * </ul>
 * A hold only ever delays: every packet is released (accepted), none is dropped. Nothing here can
 * stop the daemon; with the daemon gone the kernel's bypass lets the segments pass.
 */
final class HoldService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HoldService.class);

    private final SegmentHold hold;
    private final HeldSegments held;
    private final SessionModel model;
    private final RecentDurations times = new RecentDurations();
    private final RecentDurations turns = new RecentDurations();
    private IntSupplier readWaitingCopies = () -> 0;
    private long heldSyns;
    private long readHere;
    private long readAfterCopies;
    private long releasedUnread;
    private int failures;
    private final AtomicLong releaseFailures = new AtomicLong();

    HoldService(SegmentHold hold, HeldSegments held, SessionModel model) {
        this.hold = hold;
        this.held = held;
        this.model = model;
    }

    /** From now on a held reply goes on as soon as the model has read its copy, on whichever thread read it. */
    void start() {
        model.onServerSegmentRead((sessionId, segment) -> {
            long id = held.read(segment);
            if (id >= 0) {
                release(id, sessionId);
            }
        });
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

    /** The kernel's queue, for the loop's wait. */
    SegmentHold segments() {
        return hold;
    }

    int millisToNextDeadline(int idle) {
        return held.millisToNextDeadline(idle);
    }

    /**
     * Judges the packets held now, without waiting; {@code readWaitingCopies} reads the NFLOG copies
     * that arrived meanwhile into the model (on this thread) and says how many.
     */
    void takeHeld(IntSupplier readWaitingCopies) {
        this.readWaitingCopies = readWaitingCopies;
        try {
            hold.awaitHeld(this::onHeld, 0);
            failures = 0;
        } catch (NetlinkException | RuntimeException e) {
            if (failures++ == 0) {
                log.error("segment hold: {} (held segments still go at their deadline or by the kernel's bypass)", e.getMessage());
            }
        }
    }

    /** How long a turn of the loop that found held packets took, from its wake-up (copies and repairs included). */
    void turnTook(long micros) {
        turns.record(micros);
    }

    /** Releases the held segments whose deadline passed (their copy late or lost), each logged with its session. */
    void releaseOverdue() {
        for (HeldSegments.Overdue o : held.overdue()) {
            TcpSegment s = o.segment();
            Optional<String> id = model.sessionIdOf(s.src(), s.srcPort(), s.dst(), s.dstPort());
            log.warn("session {}: a held {} released at its deadline ({} ms) before the daemon read it (its NFLOG"
                    + " copy late or lost): a repair it needs may come after the client", id.orElse("?"),
                    new String(s.payload(), 0, 3, StandardCharsets.US_ASCII), o.held().toMillis());
            release(o.id(), id.orElse("?"));
        }
    }

    /**
     * While the NFLOG copies cannot be read (the socket failed and waits to be reopened): for at
     * most {@code millis}, every held packet goes on at once, since nothing could read it.
     */
    void serveWithoutCopies(long millis, BooleanSupplier running) {
        for (long id : held.drain()) {
            release(id, "?");
        }
        long end = System.nanoTime() + millis * 1_000_000;
        long left;
        while (running.getAsBoolean() && (left = (end - System.nanoTime()) / 1_000_000) > 0) {
            try {
                hold.awaitHeld(h -> {
                    releasedUnread++;
                    release(h.id(), "?");
                }, (int) Math.min(left, 200));
            } catch (NetlinkException | RuntimeException e) {
                sleep(Math.min(left, 200));
            }
        }
    }

    private void onHeld(SegmentHold.Held h) {
        long since = System.nanoTime();
        judge(h);
        times.record((System.nanoTime() - since) / 1000);
    }

    private void judge(SegmentHold.Held h) {
        Optional<TcpSegment> seg = TcpSegment.decode(h.packet());
        if (seg.isEmpty()) {
            release(h.id(), "?");
            return;
        }
        if (h.hook() == SegmentHold.Held.PREROUTING) {
            heldSyns++;
            model.onConnectAttempt(h.packet(), () -> release(h.id(), "?")); // the expectation moves where this client goes, then it goes
            return;
        }
        if (model.readHeld(h.packet())) {
            readHere++; // the model had read all before it: read (and repaired) here
            release(h.id(), "?");
            return;
        }
        if (readWaitingCopies.getAsInt() > 0 && model.readHeld(h.packet())) {
            readAfterCopies++; // what came ahead of it arrived while this turn began
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String describe() {
        HeldSegments.Counters c = held.counters();
        return (c.held() + readHere + readAfterCopies) + " replies held (" + c.releasedAtOnce() + " released at once, their copy read"
                + " first; " + c.releasedAfterRead() + " held until their copy came (" + held.heldDescribe() + "); " + readHere + " read from the queue itself, " + readAfterCopies + " after the copies that came"
                + " meanwhile; " + c.releasedAtDeadline()
                + " at the deadline, " + releasedUnread + " unread while the copies could not be read), " + heldSyns
                + " SYNs held; in the daemon per held packet " + times.describe() + ", per wake-up with held packets (their copies and"
                + " repairs included) " + turns.describe() + "; " + hold.overflows()
                + " queue overflows, " + releaseFailures.get() + " release failures";
    }

    /** Call after the loop has stopped: releases what is still held, then unbinds the queue. */
    @Override
    public void close() {
        // Unbinding makes the kernel drop what is still queued (nfqnl_flush): release it first. Bypass
        // covers only what arrives after. (A SIGKILL cannot do this: TCP retransmits those few.)
        for (long id : held.drain()) {
            release(id, "?");
        }
        log.info("segment hold: {}", describe());
        hold.close();
    }
}
