package io.ftpnat.scenarios;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One nftables table as comparable text: what {@code nft -f} was given and what
 * {@code nft list table} prints back are compared after this normalisation, which is the whole of
 * what the two may legitimately differ in (kernel 6.18, nftables 1.x):
 * <ol>
 * <li>{@code #} comments, blank lines and indentation: nft keeps none of them (rule
 *     {@code comment "..."} strings are kept and compared);</li>
 * <li>runs of spaces become one space;</li>
 * <li>{@code counter packets N bytes M} is {@code counter}: nft prints the live counts;</li>
 * <li>the order of the table's objects: nft lists ct helpers, then sets, then maps, then chains,
 *     whatever the order in the file, so the table is compared as named blocks ({@code chain x},
 *     {@code set y}, ...), each block's lines in their order (rule order matters);</li>
 * <li>what precedes the table in a file ({@code table inet ftpnat} / {@code delete table ...},
 *     the atomic-replace preamble) is not part of the listing.</li>
 * </ol>
 * Anything else nft prints differently is a difference the test reports: the renderer should then
 * write it as nft prints it, or a rule here should say why the two spellings mean the same.
 */
final class NftTableText {
    private static final Pattern COUNTER = Pattern.compile("counter packets \\d+ bytes \\d+");

    private NftTableText() {}

    /** The blocks of {@code table <family> <name> { ... }} in {@code text}, by header line, each with its normalised lines. */
    static Map<String, List<String>> blocks(String text, String family, String name) {
        List<String> lines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String l = raw.strip().replaceAll("\\s+", " ");
            if (l.isEmpty() || l.startsWith("#")) continue;
            lines.add(COUNTER.matcher(l).replaceAll("counter"));
        }
        String header = "table " + family + " " + name + " {";
        int start = lines.indexOf(header);
        if (start < 0) throw new AssertionError("no '" + header + "' in:\n" + text);
        Map<String, List<String>> blocks = new TreeMap<>();
        List<String> current = null;
        String currentHeader = null;
        int depth = 1;
        for (int i = start + 1; i < lines.size() && depth > 0; i++) {
            String l = lines.get(i);
            int delta = braces(l);
            if (depth == 1 && delta > 0) {
                currentHeader = l;
                current = new ArrayList<>();
            } else if (depth + delta == 1 && current != null && l.equals("}")) {
                if (blocks.put(currentHeader, current) != null) throw new AssertionError("two blocks '" + currentHeader + "'");
                current = null;
            } else if (depth + delta > 0) {
                if (current == null) throw new AssertionError("a line outside any block of the table: " + l);
                current.add(l);
            }
            depth += delta;
        }
        if (depth != 0) throw new AssertionError("unbalanced braces in table " + name + ":\n" + text);
        return blocks;
    }

    /** Opening minus closing braces outside double-quoted strings. */
    private static int braces(String l) {
        int d = 0;
        boolean quoted = false;
        for (char c : l.toCharArray()) {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '{') d++;
            else if (!quoted && c == '}') d--;
        }
        return d;
    }
}
