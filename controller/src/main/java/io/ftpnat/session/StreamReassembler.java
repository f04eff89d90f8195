package io.ftpnat.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts one direction of a control connection back in order from copies of its segments, by TCP
 * sequence number (mod 2^32). Retransmissions and overlaps are trimmed to what is new; segments
 * ahead of the stream wait (bounded); a hole that cannot be filled — a copy cut at the snaplen,
 * more out-of-order data than the bound, a copy the kernel dropped — is skipped and reported as a
 * gap, so the reader can resynchronise at the next line.
 *
 * <p>The stream starts at the first segment seen: the observer sees no SYN (only segments that
 * carry data are copied), and a daemon started mid-session joins where it is.
 */
public final class StreamReassembler {
    /** What a segment delivered: in-order bytes, each preceded by whether a gap came before it. */
    public record Chunk(boolean gapBefore, byte[] data) {
    }

    private final int maxPending;
    private final TreeMap<Long, TcpSegment> pending = new TreeMap<>();
    private int pendingBytes;
    private long next = -1;
    private long gaps;
    private long retransmittedBytes;

    public StreamReassembler(int maxPendingBytes) {
        this.maxPending = maxPendingBytes;
    }

    public long gaps() {
        return gaps;
    }

    public long retransmittedBytes() {
        return retransmittedBytes;
    }

    /** Offers a segment (any order, duplicates allowed); returns the bytes now in order. */
    public List<Chunk> offer(TcpSegment s) {
        List<Chunk> out = new ArrayList<>(1);
        if (s.length() == 0) {
            return out;
        }
        if (next < 0) {
            next = s.seq();
        }
        long offset = delta(s.seq(), next);
        if (offset + s.length() <= 0) {
            retransmittedBytes += s.length();
            return out; // all old
        }
        if (offset > 0) {
            if (pendingBytes + s.length() > maxPending) {
                // too much ahead of a hole: give up on the hole
                long first = pending.isEmpty() || delta(s.seq(), pending.firstKey()) < 0 ? s.seq() : pending.firstKey();
                skipTo(first, out);
                if (delta(s.seq(), next) > 0) {
                    if (pending.putIfAbsent(s.seq(), s) == null) {
                        pendingBytes += s.length();
                    }
                    return out;
                }
            } else {
                if (pending.putIfAbsent(s.seq(), s) == null) {
                    pendingBytes += s.length();
                }
                return out;
            }
        }
        deliver(s, out);
        drain(out);
        return out;
    }

    private void deliver(TcpSegment s, List<Chunk> out) {
        long offset = delta(s.seq(), next);
        if (offset > 0) {
            return;
        }
        int skip = (int) -offset;
        if (skip >= s.length()) {
            retransmittedBytes += s.length();
            return;
        }
        retransmittedBytes += skip;
        byte[] copied = s.payload();
        if (copied.length > skip) {
            byte[] data = copied.length == skip ? new byte[0] : java.util.Arrays.copyOfRange(copied, skip, copied.length);
            out.add(new Chunk(false, data));
        }
        next = (next + (s.length() - skip)) & 0xffffffffL;
        if (s.truncated()) {
            // the bytes past the snaplen were never copied: a hole the reader must skip
            gaps++;
            out.add(new Chunk(true, new byte[0]));
        }
    }

    private void drain(List<Chunk> out) {
        while (!pending.isEmpty()) {
            Map.Entry<Long, TcpSegment> first = pending.firstEntry();
            long offset = delta(first.getKey(), next);
            if (offset > 0) {
                return;
            }
            pending.remove(first.getKey());
            pendingBytes -= first.getValue().length();
            deliver(first.getValue(), out);
        }
    }

    private void skipTo(long seq, List<Chunk> out) {
        gaps++;
        next = seq;
        out.add(new Chunk(true, new byte[0]));
        drain(out);
    }

    /** a - b in sequence space, as a signed distance (RFC 1982 style). */
    static long delta(long a, long b) {
        return (int) (a - b);
    }
}
