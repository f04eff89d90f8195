package io.ftpnat.fuzz;

/**
 * A fuzz input read as a script: one configuration byte, then segments, each a header byte
 * ({@code length << 1 | direction}, so a segment holds 0-127 bytes) and its bytes (cut short at
 * the end of the input). The fuzzer mutating a header moves a split point or turns a segment
 * around, so every byte boundary and every interleaving of the two directions is reachable.
 */
final class Segments {
    private final byte[] data;
    private int at;
    private boolean fromSecond;
    private int offset;
    private int length;

    Segments(byte[] data) {
        this.data = data;
        this.at = Math.min(1, data.length);
    }

    /** The configuration byte (0 for an empty input). */
    int config() {
        return data.length == 0 ? 0 : data[0] & 0xff;
    }

    /** Advances to the next segment; false at the end of the input. */
    boolean next() {
        if (at >= data.length) {
            return false;
        }
        int h = data[at++] & 0xff;
        fromSecond = (h & 1) == 1;
        offset = at;
        length = Math.min(h >>> 1, data.length - at);
        at += length;
        return true;
    }

    /** Direction bit: 0 = the first party (client), 1 = the second (server). */
    boolean fromSecond() {
        return fromSecond;
    }

    byte[] data() {
        return data;
    }

    int offset() {
        return offset;
    }

    int length() {
        return length;
    }
}
