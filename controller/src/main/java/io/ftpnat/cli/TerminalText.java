package io.ftpnat.cli;

/**
 * Text from the daemon made safe for the admin's terminal. Much of what ftpnatctl prints was
 * written by strangers (an FTP dialogue, a user name, a file name in an error): an ESC or other
 * control byte in it would drive the terminal (move the cursor, rewrite the title, hide lines).
 * Control characters (C0, DEL, C1) and unpaired surrogates are shown as visible escapes instead.
 */
final class TerminalText {
    private TerminalText() {
    }

    static String of(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || (Character.isSurrogate(c) && !pairedAt(s, i));
            if (unsafe && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            if (Character.isHighSurrogate(c) && pairedAt(s, i)) {
                i++;
                if (out != null) {
                    out.append(s.charAt(i));
                }
            }
        }
        return out == null ? s : out.toString();
    }

    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
}
