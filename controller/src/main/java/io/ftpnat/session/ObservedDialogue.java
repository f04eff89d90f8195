package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.ftp.DataChannelSyntax;
import io.ftpnat.ftp.FtpSyntaxException;
import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.TelnetLineReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads both directions of one control connection (already in order) as an FTP dialogue: client
 * command lines (pipelined or not) and server replies (multi-line, RFC 959 4.2), Telnet IAC
 * removed. Reports the lines that negotiate data channels and what is wrong with the dialogue.
 * After a gap in a direction the partial line is dropped and reading resumes at the next line.
 */
final class ObservedDialogue {
    static final int MAX_LINE = 2048;

    /** What one feed produced. */
    record Result(List<Negotiation> negotiations, List<String> lines, List<String> problems) {
        static Result empty() {
            return new Result(new ArrayList<>(0), new ArrayList<>(0), new ArrayList<>(0));
        }
    }

    private TelnetLineReader client = new TelnetLineReader(MAX_LINE);
    private TelnetLineReader server = new TelnetLineReader(MAX_LINE);
    private ReplyAssembler replies = new ReplyAssembler(64);
    private boolean clientResync;
    private boolean serverResync;
    private long clientLines;

    long clientLines() {
        return clientLines;
    }

    /** Feeds bytes the client sent; {@code gapBefore}: some bytes before these were never seen. */
    void fromClient(boolean gapBefore, byte[] data, Instant when, Result into) {
        if (gapBefore) {
            client = new TelnetLineReader(MAX_LINE);
            clientResync = true;
            into.problems.add("client bytes missing from the observation (gap): a line was skipped");
        }
        if (data.length == 0) {
            return;
        }
        boolean continuing = client.pending() > 0;
        List<TelnetLineReader.Line> lines = client.feed(data, 0, data.length);
        for (int i = 0; i < lines.size(); i++) {
            TelnetLineReader.Line l = lines.get(i);
            boolean split = i == 0 && continuing;
            if (clientResync) {
                clientResync = false;
                continue;
            }
            clientLines++;
            String text = stripCr(l.text());
            if (l.overlong()) {
                into.problems.add("client line longer than " + MAX_LINE + " bytes");
                continue;
            }
            into.lines.add("> " + redact(text));
            try {
                Optional<DataChannelOffer> offer = DataChannelSyntax.command(text);
                if (offer.isPresent()) {
                    into.negotiations.add(new Negotiation(offer.get(), text, when, split));
                }
            } catch (FtpSyntaxException e) {
                into.problems.add("malformed " + verb(text) + " from the client: " + e.getMessage());
            }
        }
    }

    /** Feeds bytes the server sent. */
    void fromServer(boolean gapBefore, byte[] data, Instant when, Result into) {
        if (gapBefore) {
            server = new TelnetLineReader(MAX_LINE);
            replies = new ReplyAssembler(64);
            serverResync = true;
            into.problems.add("server bytes missing from the observation (gap): a reply was skipped");
        }
        if (data.length == 0) {
            return;
        }
        for (TelnetLineReader.Line l : server.feed(data, 0, data.length)) {
            if (serverResync) {
                serverResync = false;
                continue;
            }
            String text = stripCr(l.text());
            if (l.overlong()) {
                into.problems.add("server line longer than " + MAX_LINE + " bytes");
                continue;
            }
            Optional<ReplyAssembler.Reply> reply = replies.add(text);
            if (reply.isEmpty()) {
                continue;
            }
            ReplyAssembler.Reply r = reply.get();
            String last = r.lines().get(r.lines().size() - 1);
            into.lines.add("< " + last);
            if (r.code() < 0) {
                continue;
            }
            try {
                Optional<DataChannelOffer> offer = DataChannelSyntax.reply(r.code(), r.lastText());
                if (offer.isPresent()) {
                    into.negotiations.add(new Negotiation(offer.get(), last, when, false));
                }
            } catch (FtpSyntaxException e) {
                into.problems.add("malformed " + r.code() + " reply from the server: " + e.getMessage());
            }
        }
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String verb(String line) {
        int sp = line.indexOf(' ');
        return (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    }

    /** Passwords never enter the model (it is readable by every member of the query group). */
    static String redact(String line) {
        return verb(line).equals("PASS") ? "PASS ****" : line;
    }
}
