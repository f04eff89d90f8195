package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.ftp.DataChannelSyntax;
import io.ftpnat.ftp.FtpSyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads both directions of one control connection segment by segment, in the order the copies
 * arrive — the order in which the kernel helper sees them — with nf_conntrack_ftp's rules: a
 * negotiation counts as the kernel's only when it starts at the first byte of a segment that follows
 * a segment ending in LF, never in a direction's first segment, in the helper's strict syntax
 * ({@link HelperParse}, {@link LfPositions}). Every other line that names a data channel is
 * reported too, with where it was ({@link Negotiation.Position}): the planner refuses it, and
 * {@code session show} says why.
 *
 * <p>Lines are also assembled for display and for the diagnosis of lines the kernel did not read,
 * from in-order bytes only (a retransmission is skipped, a hole resets the line): no reassembly
 * buffer. Memory: two {@link LfPositions}, two line buffers of {@link #MAX_LINE} bytes (allocated on
 * first use) and a few counters — under 1 KiB whatever the peers send.
 */
final class ObservedDialogue {
    /** Bytes of one line kept; the rest of a longer line is dropped (and the line reported as overlong). */
    static final int MAX_LINE = 160;
    /** Characters of a line shown in the dialogue, the notes and the diagnosis. */
    static final int SHOWN = 120;
    private static final int IAC = 255;

    /** What one segment produced. */
    record Result(List<Negotiation> negotiations, List<String> lines, List<String> problems) {
        static Result empty() {
            return new Result(new ArrayList<>(0), new ArrayList<>(0), new ArrayList<>(0));
        }
    }

    /** One direction: the kernel helper's memory of it, and the line being assembled. */
    private static final class Direction {
        final LfPositions lf = new LfPositions();
        boolean seen;
        long next = -1;
        byte[] line;
        int length;
        boolean overlong;
        boolean discarding;
        int telnet;
        // where the line being assembled started, for its position
        boolean startedAtByte0;
        boolean startFirst;
        boolean startLooked;
        boolean continued;
        HelperParse startParse = HelperParse.NONE;

        boolean midLine() {
            return length > 0 || overlong || discarding || telnet != 0;
        }

        void reset() {
            length = 0;
            overlong = false;
            telnet = 0;
        }
    }

    private final Direction client = new Direction();
    private final Direction server = new Direction();
    /** PASV/EPSV/LPSV asked and not yet answered by a passive reply (at most 2: a flood cannot bank them). */
    private int passiveAsked;
    private long clientLines;
    private long gaps;

    long clientLines() {
        return clientLines;
    }

    long gaps() {
        return gaps;
    }

    /**
     * How far from the next expected byte a segment may start and still be this connection's: a
     * control channel carries a few kilobytes, so even a run of lost copies stays far below it,
     * while a new connection on the same addresses and ports starts at a random sequence number.
     */
    static final long FOREIGN_DISTANCE = 1 << 20;

    /**
     * Whether {@code seg} cannot be this connection's: it starts more than {@link #FOREIGN_DISTANCE}
     * from where this direction's bytes have reached. A client that reuses its port opens a new
     * connection on the same four-tuple (the kernel replaces the old entry in TIME_WAIT), and its
     * copies can come before the conntrack events that end this session and start the next one.
     * Read into this session they would look like a gap and be skipped; they belong to the next.
     * (A new connection whose random start falls within the distance, 1 in 2,000, is read as a gap.)
     */
    boolean foreign(boolean fromClient, TcpSegment seg) {
        Direction d = fromClient ? client : server;
        if (d.next < 0) {
            return false;
        }
        long delta = (int) (seg.seq() - d.next);
        return Math.abs(delta) > FOREIGN_DISTANCE;
    }

    /**
     * Whether a server segment starting at {@code serverSeq} that acknowledges the client's bytes up
     * to {@code clientAck} can be read now without its predecessors: every server byte before it and
     * every client byte it acknowledges has been read (so the line positions the kernel reads at and
     * the client's request it answers are known).
     */
    boolean caughtUp(long serverSeq, long clientAck) {
        return server.next >= 0 && server.next == (serverSeq & 0xffffffffL)
                && client.next >= 0 && (int) (client.next - clientAck) >= 0;
    }

    /**
     * One segment's copy.
     *
     * @param v6 the control connection's family (EPRT must name it, as the kernel requires)
     */
    void segment(boolean fromClient, TcpSegment seg, boolean v6, Instant when, Result into) {
        Direction d = fromClient ? client : server;
        byte[] p = seg.payload();
        if (seg.length() == 0 || p.length == 0) {
            return;
        }
        boolean first = !d.seen;
        d.seen = true;
        boolean looked = d.lf.parsesAt(seg.seq());
        HelperParse parse = HelperParse.of(p, fromClient, v6);
        if (seg.truncated() && parse.outcome() == HelperParse.Outcome.PARTIAL) {
            parse = HelperParse.NONE; // the kernel saw more of it than the copy holds: unknown, not the kernel's
        }
        if (looked && parse.outcome() == HelperParse.Outcome.PARTIAL) {
            into.problems.add((fromClient ? "the client's " : "the server's ") + RepairPlanner.formName(parse.form())
                    + " segment is incomplete in the kernel helper's syntax (partial match): the kernel drops it, and every"
                    + " retransmission of it (the command stalls); use mode: proxy for this rule");
        }
        // the kernel's memory of line ends: not after a segment it dropped, nor when the copy lacks the last byte
        if (!seg.truncated() && p[p.length - 1] == '\n' && !(looked && parse.outcome() == HelperParse.Outcome.PARTIAL)) {
            d.lf.endedInLf(seg.seq() + seg.length());
        }

        int skip = 0;
        if (d.next >= 0) {
            long delta = (int) (seg.seq() - d.next);
            if (delta < 0) {
                if (delta + seg.length() <= 0) {
                    return; // a retransmission: shown already
                }
                skip = (int) Math.min(-delta, p.length);
            } else if (delta > 0) {
                gaps++;
                d.reset();
                d.discarding = true;
                into.problems.add((fromClient ? "client" : "server") + " bytes missing from the observation (gap): a line was skipped");
            }
        }
        d.next = (seg.seq() + seg.length()) & 0xffffffffL;

        if (skip == 0 && looked) {
            // the kernel saw the previous segment end in LF: a line starts here, whatever the display lost
            d.reset();
            d.discarding = false;
        }
        if (skip == 0 && d.midLine() && parse.outcome() == HelperParse.Outcome.MATCH && !looked) {
            // a segment that starts like a command but continues another line: the kernel did not read it
            into.negotiations.add(new Negotiation(offer(parse), shown(firstLine(p)), when,
                    first ? Negotiation.Position.FIRST_SEGMENT : Negotiation.Position.NOT_AFTER_LF, false, false));
        }
        if (d.midLine()) {
            d.continued = true; // the line being assembled crosses a segment boundary
        }
        for (int i = skip; i < p.length; i++) {
            int b = p[i] & 0xff;
            if (!d.midLine()) {
                d.startedAtByte0 = i == 0;
                d.startFirst = first;
                d.startLooked = looked;
                d.startParse = i == 0 ? parse : HelperParse.NONE;
                d.continued = false;
            }
            switch (d.telnet) {
                case 1 -> d.telnet = b == IAC ? append(d, b) : b >= 251 && b <= 254 ? 2 : b == 250 ? 3 : 0;
                case 2 -> d.telnet = 0;
                case 3 -> d.telnet = b == IAC ? 4 : 3;
                case 4 -> d.telnet = b == 240 ? 0 : 3;
                default -> {
                    if (b == IAC) {
                        d.telnet = 1;
                    } else if (b == '\n') {
                        endLine(d, fromClient, when, into);
                    } else {
                        append(d, b);
                    }
                }
            }
        }
        if (seg.truncated()) {
            d.reset(); // the rest of the segment was never copied
            d.discarding = true;
        }
    }

    /** Returns the Telnet state after the byte (0: data). */
    private static int append(Direction d, int b) {
        if (d.discarding) {
            return 0;
        }
        if (d.length >= MAX_LINE) {
            d.overlong = true;
            return 0;
        }
        if (d.line == null) {
            d.line = new byte[MAX_LINE];
        }
        d.line[d.length++] = (byte) b;
        return 0;
    }

    private void endLine(Direction d, boolean fromClient, Instant when, Result into) {
        if (d.discarding) {
            d.discarding = false;
            d.reset();
            return;
        }
        int len = d.length;
        if (len > 0 && d.line[len - 1] == '\r') {
            len--;
        }
        String text = len == 0 ? "" : new String(d.line, 0, len, StandardCharsets.ISO_8859_1);
        boolean overlong = d.overlong;
        boolean byte0 = d.startedAtByte0 && !d.continued;
        HelperParse parse = d.startParse;
        boolean looked = d.startLooked;
        boolean first = d.startFirst;
        d.reset();
        if (fromClient) {
            clientLines++;
            into.lines.add("> " + shown(redact(text)) + (overlong ? "…" : ""));
        } else {
            into.lines.add("< " + shown(text) + (overlong ? "…" : ""));
        }
        boolean kernelRead = byte0 && looked && parse.outcome() == HelperParse.Outcome.MATCH;
        Optional<DataChannelOffer> strict = Optional.empty();
        String malformed = null;
        if (!overlong) {
            try {
                strict = fromClient ? DataChannelSyntax.command(text) : reply(text);
            } catch (FtpSyntaxException e) {
                malformed = "malformed " + (fromClient ? verb(text) + " from the client" : text.substring(0, 3) + " reply from the server")
                        + ": " + shown(e.getMessage());
            }
        } else {
            into.problems.add((fromClient ? "client" : "server") + " line longer than " + MAX_LINE + " bytes");
        }
        if (fromClient && isPassiveRequest(text)) {
            passiveAsked = Math.min(passiveAsked + 1, 2);
        }
        if (!kernelRead && strict.isEmpty()) {
            if (malformed != null) {
                into.problems.add(malformed);
            }
            return;
        }
        DataChannelOffer offer = kernelRead ? offer(parse) : strict.get();
        Negotiation.Position position;
        if (kernelRead) {
            position = Negotiation.Position.KERNEL_READ;
        } else if (!byte0) {
            position = Negotiation.Position.INSIDE_SEGMENT;
        } else if (!looked) {
            position = first ? Negotiation.Position.FIRST_SEGMENT : Negotiation.Position.NOT_AFTER_LF;
        } else if (offer.form() == DataChannelOffer.Form.LPRT || offer.form() == DataChannelOffer.Form.LPSV_228) {
            position = Negotiation.Position.KERNEL_POSITION;
        } else {
            position = Negotiation.Position.NOT_KERNEL_SYNTAX;
        }
        boolean solicited = false;
        if (!offer.form().active()) {
            solicited = passiveAsked > 0;
            passiveAsked = Math.max(0, passiveAsked - 1);
        }
        into.negotiations.add(new Negotiation(offer, shown(text), when, position, strict.isPresent() && strict.get().equals(offer),
                solicited));
    }

    /** A one-line reply naming a data channel (227, 228, 229): the kernel never reads a multi-line one's text. */
    private static Optional<DataChannelOffer> reply(String line) throws FtpSyntaxException {
        if (line.length() < 4 || line.charAt(3) != ' ' || !line.startsWith("22")) {
            return Optional.empty();
        }
        int code;
        try {
            code = Integer.parseInt(line.substring(0, 3));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return DataChannelSyntax.reply(code, line.substring(4));
    }

    private static DataChannelOffer offer(HelperParse p) {
        return new DataChannelOffer(p.form(), p.address(), p.port());
    }

    private static boolean isPassiveRequest(String line) {
        String v = verb(line);
        return v.equals("PASV") || v.equals("EPSV") || v.equals("LPSV");
    }

    private static String firstLine(byte[] p) {
        int end = 0;
        while (end < p.length && end < SHOWN && p[end] != '\r' && p[end] != '\n') {
            end++;
        }
        return new String(p, 0, end, StandardCharsets.ISO_8859_1);
    }

    static String shown(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), SHOWN + 1));
        for (int i = 0; i < s.length() && b.length() < SHOWN; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 && c != '\t' || c == 0x7f ? '.' : c); // no control bytes into logs and JSON
        }
        return s.length() > SHOWN ? b + "…" : b.toString();
    }

    /** The command's verb: letters after any leading white space, upper case ("PASS\tx" and " pass x" give PASS). */
    static String verb(String line) {
        int start = 0;
        while (start < line.length() && Character.isWhitespace(line.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < line.length() && end - start < 8 && Character.isLetter(line.charAt(end))) {
            end++;
        }
        return line.substring(start, end).toUpperCase(Locale.ROOT);
    }

    /** Passwords (PASS) and accounts (ACCT) never enter the model: it is readable by every member of the query group. */
    static String redact(String line) {
        String v = verb(line);
        return v.startsWith("PASS") || v.startsWith("ACCT") ? v.substring(0, 4) + " ****" : line;
    }
}
