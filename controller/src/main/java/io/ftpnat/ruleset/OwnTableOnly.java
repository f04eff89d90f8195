package io.ftpnat.ruleset;

import java.util.regex.Pattern;

/**
 * Checks, at the kernel boundary, that a text handed to libnftables touches nothing but ftpnat's
 * own table: its only top-level commands are {@code table inet T}, {@code delete table inet T},
 * {@code table inet T { ... }} (a ruleset), {@code add element inet T NAME { KEY [timeout Nms] [: DATA] }}
 * whose key and data are addresses and ports only (the run-time elements an apply carries into the
 * new table, rendered from typed values), and it holds no {@code include}, {@code define} or variable anywhere. A policy can
 * therefore never become {@code flush ruleset}, a read of another file, or a change to another table,
 * whatever a value in it says.
 */
public final class OwnTableOnly {
    private static final Pattern FORBIDDEN = Pattern.compile("(?m)(^|[\\s;{}])(include|define|redefine|undefine)(\\s|$)|\\$");

    /** An element's key or data: addresses and ports joined by " . " (hex digits, dots, colons). */
    private static final String VALUE = "[0-9a-f.:]+( \\. [0-9a-f.:]+)*";

    private OwnTableOnly() {
    }

    /** Throws IllegalArgumentException naming the offending command (never a file's content). */
    public static void check(String text, String table) {
        NftWords.table(table);
        String code = codeOnly(text);
        if (FORBIDDEN.matcher(code).find()) {
            throw new IllegalArgumentException("nftables text for table inet " + table
                    + " holds include, define or a variable: refused before it reaches the kernel");
        }
        Pattern own = Pattern.compile("table inet " + table + "( \\{)?|delete table inet " + table
                + "|add element inet " + table + " [a-z0-9_]{1,32} \\{ " + VALUE + "( timeout [0-9]{1,12}ms)?( : " + VALUE + ")? \\}");
        int depth = 0;
        int lineNo = 0;
        for (String line : code.split("\n", -1)) {
            lineNo++;
            String t = line.strip();
            if (depth == 0 && !t.isEmpty() && !own.matcher(t).matches()) {
                throw new IllegalArgumentException("nftables text line " + lineNo + " is not a command on table inet " + table
                        + ": refused before it reaches the kernel");
            }
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
                if (depth < 0) {
                    throw new IllegalArgumentException("nftables text line " + lineNo + " closes a block it did not open");
                }
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("nftables text for table inet " + table + " leaves a block open");
        }
    }

    /**
     * The text with '#' comments dropped and each double-quoted string emptied: what is left is
     * what nft reads as keywords (nft strings have no escapes and never span lines).
     */
    static String codeOnly(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean quoted = false;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                comment = false;
                quoted = false; // nft strings never span lines
                out.append(c);
            } else if (comment) {
                continue;
            } else if (c == '"') {
                quoted = !quoted;
                out.append(c);
            } else if (quoted) {
                continue;
            } else if (c == '#' && !quoted) {
                comment = true;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
