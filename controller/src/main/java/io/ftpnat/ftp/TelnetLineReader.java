package io.ftpnat.ftp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one direction of a control connection, fed in pieces as TCP delivers them, into lines.
 * The control channel is a Telnet NVT (RFC 959 4.1): IAC command sequences are removed (IAC IAC is
 * a literal 0xFF), lines end with CRLF (a bare LF is accepted, as servers send it). A line longer
 * than the limit is reported once as overlong and its rest discarded up to the next line end, so a
 * peer can never make the reader buffer without bound.
 */
public final class TelnetLineReader {
    static final int IAC = 255;
    static final int SB = 250;
    static final int SE = 240;
    static final int WILL = 251;
    static final int DONT = 254;

    /**
     * A complete line (without its end, Telnet sequences removed), or the notice that one was too
     * long. {@code raw} is the line as it arrived, Telnet sequences and line end included (one char
     * per byte, ISO-8859-1), so a relay can pass on what it does not rewrite byte for byte — an
     * {@code IAC IP IAC DM} before ABOR included. Empty for an overlong line.
     */
    public record Line(String text, boolean overlong, String raw) {
        public Line(String text, boolean overlong) {
            this(text, overlong, "");
        }
    }

    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream(128);
    private int telnetState; // 0 data, 1 after IAC, 2 after WILL/WONT/DO/DONT, 3 in SB, 4 IAC in SB
    private boolean discarding;

    public TelnetLineReader(int maxLine) {
        this.maxLine = maxLine;
    }

    /** Feeds the next bytes of the stream; returns the lines they completed, in order. */
    public List<Line> feed(byte[] data, int offset, int length) {
        List<Line> out = new ArrayList<>(1);
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xff;
            if (!discarding && raw.size() < 4 * maxLine + 16) {
                raw.write(b); // bounded: at most 4 bytes of Telnet per byte of text, a line holds at most maxLine
            }
            switch (telnetState) {
                case 1 -> {
                    if (b == IAC) {
                        append(b, out); // escaped 0xFF
                        telnetState = 0;
                    } else if (b >= WILL && b <= DONT) {
                        telnetState = 2;
                    } else if (b == SB) {
                        telnetState = 3;
                    } else {
                        telnetState = 0; // a two-byte command (IP, DM, NOP, ...)
                    }
                }
                case 2 -> telnetState = 0; // option byte of WILL/WONT/DO/DONT
                case 3 -> telnetState = b == IAC ? 4 : 3;
                case 4 -> telnetState = b == SE ? 0 : 3;
                default -> {
                    if (b == IAC) {
                        telnetState = 1;
                    } else if (b == '\n') {
                        endLine(out);
                    } else {
                        append(b, out);
                    }
                }
            }
        }
        return out;
    }

    /** Bytes waiting for their line end. */
    public int pending() {
        return line.size();
    }

    private void append(int b, List<Line> out) {
        if (discarding) {
            return;
        }
        if (line.size() >= maxLine) {
            out.add(new Line(preview(), true, ""));
            line.reset();
            raw.reset();
            discarding = true;
            return;
        }
        line.write(b);
    }

    private void endLine(List<Line> out) {
        if (discarding) {
            discarding = false;
            line.reset();
            raw.reset();
            return;
        }
        byte[] bytes = line.toByteArray();
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        out.add(new Line(new String(bytes, 0, len, StandardCharsets.ISO_8859_1), false,
                new String(raw.toByteArray(), StandardCharsets.ISO_8859_1)));
        line.reset();
        raw.reset();
    }

    private String preview() {
        byte[] b = line.toByteArray();
        return new String(b, 0, Math.min(b.length, 64), StandardCharsets.ISO_8859_1);
    }
}
