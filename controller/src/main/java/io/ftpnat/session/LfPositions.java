package io.ftpnat.session;

/**
 * nf_conntrack_ftp's memory of one direction (kernel 6.18, {@code find_nl_seq}/{@code update_nl_seq}):
 * the sequence numbers right after the last two segments that ended in LF. The helper parses a
 * segment only when its sequence number is one of them, so never a direction's first segment and
 * never a segment that does not follow a line end: the defence against NAT slipstreaming (a command
 * smuggled inside another protocol's request). Two longs: the whole per-direction state.
 */
final class LfPositions {
    private final long[] after = new long[2];
    private int count;

    /** Whether the kernel helper parses a segment starting at {@code seq}. */
    boolean parsesAt(long seq) {
        for (int i = 0; i < count; i++) {
            if (after[i] == seq) {
                return true;
            }
        }
        return false;
    }

    /** A segment ending in LF ended at {@code endSeq} (mod 2^32): the kernel remembers it (update_nl_seq). */
    void endedInLf(long endSeq) {
        long seq = endSeq & 0xffffffffL;
        for (int i = 0; i < count; i++) {
            if (after[i] == seq) {
                return;
            }
        }
        if (count < after.length) {
            after[count++] = seq;
            return;
        }
        int oldest = before(after[0], after[1]) ? 0 : 1;
        if (before(after[oldest], seq)) {
            after[oldest] = seq; // an older one is never put back
        }
    }

    /** The kernel's before(): a comes before b in sequence space. */
    private static boolean before(long a, long b) {
        return (int) (a - b) < 0;
    }
}
