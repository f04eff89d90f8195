package io.ftpnat.ftp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Assembles server replies from lines (RFC 959 4.2): "227 text" is a one-line reply; "230-text"
 * opens a multi-line reply that ends at the first line starting with the same code and a space.
 */
public final class ReplyAssembler {
    /** A whole reply: its code and its lines (the last one carries the final text). */
    public record Reply(int code, List<String> lines) {
        public String lastText() {
            String last = lines.get(lines.size() - 1);
            return last.length() > 4 ? last.substring(4) : "";
        }

        /** The last line as a relay writes it: "ddd text". */
        public String finalLine() {
            String last = lines.get(lines.size() - 1);
            String rest = last.length() > 3 ? last.substring(last.charAt(3) == ' ' ? 4 : 3) : "";
            return code + " " + rest;
        }
    }

    private final int maxLines;
    private int openCode = -1;
    private final List<String> lines = new ArrayList<>();

    public ReplyAssembler(int maxLines) {
        this.maxLines = maxLines;
    }

    /**
     * An inner line of a multi-line reply of {@code code} as a relay writes it. RFC 959 4.2: one
     * that begins with a digit is padded with a space, so no client (curl ends a reply at any
     * "ddd ") takes it for the end of the reply.
     */
    public static String innerLine(String text, int code) {
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && !text.startsWith(code + "-")) {
            return " " + text;
        }
        return text;
    }

    /** The code of the multi-line reply being read, or -1 between replies. */
    public int openCode() {
        return openCode;
    }

    /**
     * Adds a line; returns the reply it completes. A line that is not a reply line outside a
     * multi-line reply is answered with a reply of code -1 (malformed), so callers see it.
     */
    public Optional<Reply> add(String line) {
        if (openCode >= 0) {
            if (lines.size() < maxLines) {
                lines.add(line);
            }
            if (line.length() >= 4 && code(line) == openCode && line.charAt(3) == ' ') {
                if (lines.size() >= maxLines) {
                    lines.set(lines.size() - 1, line);
                }
                Reply r = new Reply(openCode, List.copyOf(lines));
                openCode = -1;
                lines.clear();
                return Optional.of(r);
            }
            return Optional.empty();
        }
        int code = line.length() >= 3 ? code(line) : -1;
        if (code < 0) {
            return Optional.of(new Reply(-1, List.of(line)));
        }
        if (line.length() >= 4 && line.charAt(3) == '-') {
            openCode = code;
            lines.add(line);
            return Optional.empty();
        }
        return Optional.of(new Reply(code, List.of(line)));
    }

    private static int code(String line) {
        if (line.length() < 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < 3; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v >= 100 && v <= 599 ? v : -1;
    }
}
