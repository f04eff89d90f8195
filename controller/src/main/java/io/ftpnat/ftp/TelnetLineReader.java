package io.ftpnat.ftp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one direction of a control connection, fed in pieces as TCP delivers them, into lines,
 * split exactly where FTP servers split them: every LF byte ends a line, wherever it is — also as
 * the option byte of {@code IAC WILL/WONT/DO/DONT} or inside {@code IAC SB … IAC SE} (vsftpd and
 * proftpd read up to the LF and only then look at Telnet bytes). A Telnet sequence never spans a
 * line end here, so no byte can hide a line from this reader that a server would see.
 *
 * <p>Within a line (RFC 959 4.1, RFC 854): {@code IAC IAC} is a literal 0xFF; the two-byte Telnet
 * commands (NOP, DM, IP, AYT, …; {@code IAC IP IAC DM} is ABOR's Synch) are dropped. What a relay
 * must not pass on is reported as the line's {@link Flaw}: option negotiation, a malformed Telnet
 * sequence, a control byte in the text (NUL, a CR that is not the one before the LF). A line
 * longer than the limit (counting every byte, Telnet ones included) is reported once as overlong
 * and its rest discarded up to the next LF, so a peer can never make the reader buffer without
 * bound. The reader never returns the bytes as they came: a relay re-encodes what it parsed.
 */
public final class TelnetLineReader {
    static final int IAC = 255;
    static final int SB = 250;
    static final int SE = 240;
    static final int WILL = 251;
    static final int DONT = 254;
    /** The first two-byte command (SE is only meaningful after SB; NOP is 241). */
    static final int FIRST_COMMAND = 240;

    /** What makes a line unfit to be relayed; the first one found wins. */
    public enum Flaw {
        NONE,
        /** Longer than the limit; the text is a preview of its start. */
        OVERLONG,
        /** IAC WILL/WONT/DO/DONT or IAC SB: option negotiation, which FTP does not need. */
        NEGOTIATION,
        /** IAC followed by a byte that is no Telnet command, or an IAC cut by the line end. */
        MALFORMED_TELNET,
        /** NUL, a bare CR, or another C0/DEL byte in the text. */
        CONTROL_BYTE
    }

    /** A complete line: its text (line end and Telnet sequences removed, one char per byte) and its flaw. */
    public record Line(String text, Flaw flaw) {
        public Line(String text) {
            this(text, Flaw.NONE);
        }

        public boolean overlong() {
            return flaw == Flaw.OVERLONG;
        }

        public boolean clean() {
            return flaw == Flaw.NONE;
        }
    }

    private static final int DATA = 0;
    private static final int AFTER_IAC = 1;
    private static final int OPTION = 2;
    private static final int IN_SB = 3;
    private static final int IAC_IN_SB = 4;

    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private int lineBytes; // every byte of the current line, Telnet ones included
    private int state = DATA;
    private Flaw flaw = Flaw.NONE;
    private boolean discarding;
    private boolean crLast; // the line's last byte so far is a CR of its text (the one a CRLF may end with)

    public TelnetLineReader(int maxLine) {
        this.maxLine = maxLine;
    }

    /** Feeds the next bytes of the stream; returns the lines they completed, in order. */
    public List<Line> feed(byte[] data, int offset, int length) {
        List<Line> out = new ArrayList<>(1);
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xff;
            if (b == '\n') {
                endLine(out); // wherever it is: the server ends its line here too
                continue;
            }
            if (discarding) {
                continue;
            }
            crLast = state == DATA && b == '\r';
            if (++lineBytes > maxLine) {
                out.add(new Line(preview(), Flaw.OVERLONG));
                reset();
                discarding = true;
                continue;
            }
            switch (state) {
                case AFTER_IAC -> {
                    if (b == IAC) {
                        text(b); // escaped 0xFF
                        state = DATA;
                    } else if (b >= WILL && b <= DONT) {
                        flaw(Flaw.NEGOTIATION);
                        state = OPTION;
                    } else if (b == SB) {
                        flaw(Flaw.NEGOTIATION);
                        state = IN_SB;
                    } else if (b > FIRST_COMMAND) {
                        state = DATA; // a two-byte command (NOP, DM, IP, AYT, ...): dropped
                    } else {
                        flaw(Flaw.MALFORMED_TELNET); // SE outside SB, or no command at all
                        state = DATA;
                    }
                }
                case OPTION -> state = DATA;
                case IN_SB -> state = b == IAC ? IAC_IN_SB : IN_SB;
                case IAC_IN_SB -> state = b == SE ? DATA : IN_SB;
                default -> {
                    if (b == IAC) {
                        state = AFTER_IAC;
                    } else {
                        text(b);
                    }
                }
            }
        }
        return out;
    }

    /** Bytes of the current line waiting for its end (0 between lines). */
    public int pending() {
        return lineBytes;
    }

    private void text(int b) {
        line.write(b);
    }

    private void flaw(Flaw f) {
        if (flaw == Flaw.NONE) {
            flaw = f;
        }
    }

    private void endLine(List<Line> out) {
        if (discarding) {
            discarding = false;
            reset();
            return;
        }
        if (state != DATA) {
            // the LF cut a Telnet sequence: the line ends here for the server, and so here too
            flaw(state == AFTER_IAC ? Flaw.MALFORMED_TELNET : Flaw.NEGOTIATION);
        }
        byte[] bytes = line.toByteArray();
        int len = bytes.length;
        if (crLast) {
            len--; // CRLF; a CR with a Telnet command between it and the LF is a bare CR
        }
        for (int i = 0; i < len; i++) {
            int c = bytes[i] & 0xff;
            if (c < 0x20 || c == 0x7f) {
                flaw(Flaw.CONTROL_BYTE);
                break;
            }
        }
        out.add(new Line(new String(bytes, 0, len, StandardCharsets.ISO_8859_1), flaw));
        reset();
    }

    private void reset() {
        line.reset();
        lineBytes = 0;
        state = DATA;
        flaw = Flaw.NONE;
        crLast = false;
    }

    private String preview() {
        byte[] b = line.toByteArray();
        return new String(b, 0, Math.min(b.length, 64), StandardCharsets.ISO_8859_1);
    }
}
