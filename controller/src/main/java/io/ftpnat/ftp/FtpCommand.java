package io.ftpnat.ftp;

import java.util.Locale;
import java.util.Optional;

/**
 * A client command as the ALG parsed it, and the only form in which it ever reaches a server:
 * {@code VERB[ SP argument] CRLF}, the verb in upper case, 0xFF doubled as {@code IAC IAC}
 * (RFC 959 4.1). The verb is the text up to the first space and must be letters only; the
 * argument is everything after that space, as it came, because a file name may begin or end with
 * spaces. Built only from a {@link TelnetLineReader.Line} without a flaw, so the argument holds no
 * control byte and the encoding holds no line end but its own.
 */
public record FtpCommand(String verb, Optional<String> argument) {
    /** Longer than any FTP verb (RFC 959 and its extensions use 3-4 letters). */
    static final int MAX_VERB = 8;

    /** The command in a clean line, or empty when the line is no command (no verb, or not letters). */
    public static Optional<FtpCommand> parse(String text) {
        int space = text.indexOf(' ');
        String verb = space < 0 ? text : text.substring(0, space);
        if (verb.isEmpty() || verb.length() > MAX_VERB) {
            return Optional.empty();
        }
        for (int i = 0; i < verb.length(); i++) {
            char c = verb.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return Optional.empty();
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c > 0xff) {
                return Optional.empty(); // the reader flags these; never encode one
            }
        }
        return Optional.of(new FtpCommand(verb.toUpperCase(Locale.ROOT),
                space < 0 ? Optional.empty() : Optional.of(text.substring(space + 1))));
    }

    /** The argument without surrounding spaces, for the ALG's own reading (EPSV ALL, PORT). */
    public String trimmedArgument() {
        return argument.map(String::strip).orElse("");
    }

    /** The bytes for the server (one char per byte, ISO-8859-1). */
    public String wire() {
        StringBuilder sb = new StringBuilder(verb.length() + 2 + argument.map(String::length).orElse(0));
        sb.append(verb);
        argument.ifPresent(a -> {
            sb.append(' ');
            Telnet.appendEscaped(sb, a);
        });
        return sb.append("\r\n").toString();
    }

    @Override
    public String toString() {
        return verb + argument.map(a -> " " + a).orElse("");
    }
}
