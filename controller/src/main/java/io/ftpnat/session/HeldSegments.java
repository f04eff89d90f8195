package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which held server segments (227/228 replies the kernel queued) may go on: a held segment waits
 * until the session model has read the same segment from its NFLOG copy — any repair it called
 * for is then in the kernel — or until its deadline. The copy and the held packet travel on two
 * sockets to two threads, so either may come first: a segment read before its held twin arrived
 * is remembered (briefly, bounded) and the twin goes at once.
 *
 * <p>A segment is known by its flow and sequence number. Bounded: at most {@code maxHeld} pending
 * (the kernel queue's own bound) and {@link #MAX_READ} remembered reads. Thread-safe.
 */
public final class HeldSegments {
    /** Reads remembered for a held twin still on its way (a twin normally follows within microseconds). */
    static final int MAX_READ = 256;
    static final Duration READ_KEPT = Duration.ofSeconds(2);

    record Key(IpAddress src, int srcPort, IpAddress dst, int dstPort, long seq) {
        static Key of(TcpSegment s) {
            return new Key(s.src(), s.srcPort(), s.dst(), s.dstPort(), s.seq());
        }
    }

    /** A held segment whose deadline passed: released without its repair being known to be in. */
    public record Overdue(long id, TcpSegment segment, Duration held) {
    }

    private record Pending(long id, TcpSegment segment, Instant since, Instant deadline) {
    }

    private final Clock clock;
    private final Duration deadline;
    private final int maxHeld;
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashMap<Key, Instant> read = new LinkedHashMap<>();
    private long held;
    private long releasedRead;
    private long releasedAtOnce;
    private long releasedOverdue;
    /** Hold durations of replies released after their read: for percentiles. */
    private final RecentDurations heldTimes = new RecentDurations();

    public HeldSegments(Clock clock, Duration deadline, int maxHeld) {
        this.clock = clock;
        this.deadline = deadline;
        this.maxHeld = maxHeld;
    }

    /** Whether the hold's match applies: the segment's payload starts "227 " or "228 " (as the ruleset's @ih match). */
    public static boolean holdable(TcpSegment s) {
        byte[] p = s.payload();
        return p.length >= 4 && p[0] == '2' && p[1] == '2' && (p[2] == '7' || p[2] == '8') && p[3] == ' ';
    }

    /**
     * The kernel holds packet {@code id}, this segment. Returns true when it may go at once (the
     * model read it already, or too many are pending: never more held than the kernel's queue).
     */
    public synchronized boolean arrived(long id, TcpSegment segment) {
        held++;
        Key k = Key.of(segment);
        Instant now = clock.instant();
        if (read.remove(k) != null || pending.size() >= maxHeld) {
            releasedAtOnce++;
            return true;
        }
        pending.put(k, new Pending(id, segment, now, now.plus(deadline)));
        return false;
    }

    /** The model has read this server segment: the id of its held twin to release now, or -1. */
    public synchronized long read(TcpSegment segment) {
        if (!holdable(segment)) {
            return -1;
        }
        Key k = Key.of(segment);
        Pending p = pending.remove(k);
        if (p != null) {
            releasedRead++;
            heldTimes.record(Duration.between(p.since(), clock.instant()).toNanos() / 1000);
            return p.id();
        }
        Instant now = clock.instant();
        for (Iterator<Instant> it = read.values().iterator(); it.hasNext(); ) {
            if (read.size() >= MAX_READ || it.next().plus(READ_KEPT).isBefore(now)) {
                it.remove();
            } else {
                break;
            }
        }
        read.put(k, now);
        return -1;
    }

    /** Removes and returns the held segments whose deadline has passed (to be released anyway). */
    public synchronized List<Overdue> overdue() {
        Instant now = clock.instant();
        List<Overdue> out = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (!p.deadline().isAfter(now)) {
                it.remove();
                releasedOverdue++;
                out.add(new Overdue(p.id(), p.segment(), Duration.between(p.since(), now)));
            }
        }
        return out;
    }

    /** Removes and returns every held segment (the daemon stops: they go on before the queue is unbound). */
    public synchronized List<Long> drain() {
        List<Long> ids = new ArrayList<>();
        pending.values().forEach(p -> ids.add(p.id()));
        pending.clear();
        return ids;
    }

    /** Milliseconds until the next deadline (at least 1), or {@code idle} when nothing is held. */
    public synchronized int millisToNextDeadline(int idle) {
        Instant now = clock.instant();
        long next = idle;
        for (Pending p : pending.values()) {
            next = Math.min(next, Math.max(1, Duration.between(now, p.deadline()).toMillis() + 1));
        }
        return (int) next;
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Held, released after their read, released at once (read first or over the bound), released at the deadline; longest hold in µs. */
    public record Counters(long held, long releasedAfterRead, long releasedAtOnce, long releasedAtDeadline, long maxHeldMicros) {
    }

    /** The hold durations of replies released after their copy was read, for logs. */
    public String heldDescribe() {
        return heldTimes.describe();
    }

    public synchronized Counters counters() {
        return new Counters(held, releasedRead, releasedAtOnce, releasedOverdue, heldTimes.max());
    }
}
