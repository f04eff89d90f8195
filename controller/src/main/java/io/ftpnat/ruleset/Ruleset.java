package io.ftpnat.ruleset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** nftables text for the daemon's table, ready to be handed to libnftables as one transaction. */
public record Ruleset(String table, String text) {
    /** A short, stable fingerprint of the ruleset: equal text, equal digest. */
    public String digest() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether this ruleset declares the set or map {@code object} (one of {@link TableObjects}): the
     * run-time elements of an object the new table lacks are not carried over by an apply.
     */
    public boolean declares(String object) {
        return java.util.regex.Pattern.compile("(?m)^\\s*(set|map) " + java.util.regex.Pattern.quote(object) + " \\{")
                .matcher(text).find();
    }

    /** The command that removes the table and everything in it, atomically. */
    public static String deleteCommand(String table) {
        NftWords.table(table);
        return "table inet " + table + "\ndelete table inet " + table + "\n";
    }
}
