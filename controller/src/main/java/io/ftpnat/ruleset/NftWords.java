package io.ftpnat.ruleset;

import java.util.regex.Pattern;

/**
 * The only shapes of value that may be put into nftables text. libnftables text is code: a quote,
 * a newline, a {@code $}, an {@code @} or an {@code include} in an interpolated value turns data into
 * commands run as root. Every value the renderer or a data-channel writer puts into nft text has
 * already been parsed into a typed value (an address, a prefix, a port, a validated name); these
 * checks are the second wall, applied to the text of each value just before it is interpolated, so
 * a future field that forgets to validate fails closed instead of opening the hole again.
 */
public final class NftWords {
    /** Table names: a fixed, short identifier (nft allows more; we allow no more than we need). */
    private static final Pattern TABLE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** Interface names as the policy validates them; rendered between double quotes. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@+-]{1,15}");
    /** Rule names as the policy validates them; rendered inside a quoted comment. */
    private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    /**
     * Unquoted words built from typed values: addresses, prefixes, ports, port ranges and sets,
     * family keywords and NAT statements made of those. No quote, no {@code $ @ # ; \ "}, no line end.
     */
    private static final Pattern WORDS = Pattern.compile("[A-Za-z0-9_.:/ ,{}\\[\\]-]{1,200}");

    private NftWords() {
    }

    public static String table(String name) {
        return check(TABLE, name, "table name");
    }

    public static String interfaceName(String name) {
        return check(INTERFACE, name, "interface name");
    }

    public static String ruleName(String name) {
        return check(RULE_NAME, name, "rule name");
    }

    /** Text made of typed values (an address, a prefix, "{ 21, 2121 }", "snat ip to 192.0.2.1"). */
    public static String words(String text) {
        return check(WORDS, text, "value");
    }

    private static String check(Pattern p, String value, String what) {
        if (value == null || !p.matcher(value).matches()) {
            // Never echo the value itself: it is the suspicious part, and this text may reach a client.
            throw new IllegalArgumentException("refusing to put a " + what + " of " + (value == null ? "null" : value.length() + " characters")
                    + " that is not of the allowed shape into nftables text");
        }
        return value;
    }
}
