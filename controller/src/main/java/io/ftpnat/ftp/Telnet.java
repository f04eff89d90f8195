package io.ftpnat.ftp;

/** What a relay writes of text into a Telnet NVT stream: printable bytes as they are, 0xFF doubled, controls never. */
public final class Telnet {
    private Telnet() {
    }

    /** Appends {@code text} (one char per byte) with every 0xFF doubled as IAC IAC. */
    static void appendEscaped(StringBuilder sb, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c);
            if (c == 0xff) {
                sb.append(c);
            }
        }
    }

    /** {@code text} without C0 control bytes and DEL (a server's reply text never needs them). */
    public static String withoutControls(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c > 0xff;
            if (control && sb == null) {
                sb = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!control && sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** One reply line for the client: its text without controls, 0xFF doubled, CRLF. */
    public static String replyLine(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2);
        appendEscaped(sb, withoutControls(text));
        return sb.append("\r\n").toString();
    }
}
