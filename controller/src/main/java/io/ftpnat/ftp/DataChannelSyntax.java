package io.ftpnat.ftp;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses and formats the six forms that negotiate a data connection. Parsing is strict about
 * numbers (every byte 0-255, every port 0-65535) and lenient where RFCs and real servers are (227
 * text around the numbers, any EPRT/EPSV delimiter, upper or lower case verbs).
 */
public final class DataChannelSyntax {
    private DataChannelSyntax() {
    }

    /** The offer in a client command line (without CRLF), or empty if the line is no such command. */
    public static Optional<DataChannelOffer> command(String line) throws FtpSyntaxException {
        String trimmed = line.strip();
        int space = trimmed.indexOf(' ');
        String verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
        String arg = space < 0 ? "" : trimmed.substring(space + 1).strip();
        return switch (verb) {
            case "PORT" -> Optional.of(port(arg));
            case "EPRT" -> Optional.of(eprt(arg));
            case "LPRT" -> Optional.of(longForm(arg, DataChannelOffer.Form.LPRT));
            default -> Optional.empty();
        };
    }

    /** The offer in a server reply (code and text of its last line), or empty if it makes none. */
    public static Optional<DataChannelOffer> reply(int code, String text) throws FtpSyntaxException {
        return switch (code) {
            case 227 -> Optional.of(pasv(text));
            case 228 -> Optional.of(longForm(between(text, '(', ')').orElseThrow(
                    () -> new FtpSyntaxException("228 reply without '(...)': " + text)), DataChannelOffer.Form.LPSV_228));
            case 229 -> Optional.of(epsv(text));
            default -> Optional.empty();
        };
    }

    static DataChannelOffer port(String arg) throws FtpSyntaxException {
        int[] n = numbers(arg, 6, "PORT");
        return new DataChannelOffer(DataChannelOffer.Form.PORT, Optional.of(ipv4(n)), portOf(n[4], n[5], "PORT"));
    }

    /** RFC 959 says little about the 227 text; RFC 1123 4.1.2.6: scan for the six numbers. */
    static DataChannelOffer pasv(String text) throws FtpSyntaxException {
        int start = 0;
        while (start < text.length() && !Character.isDigit(text.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == ',' || text.charAt(end) == ' ')) {
            end++;
        }
        int[] n = numbers(text.substring(start, end), 6, "227");
        return new DataChannelOffer(DataChannelOffer.Form.PASV_227, Optional.of(ipv4(n)), portOf(n[4], n[5], "227"));
    }

    static DataChannelOffer eprt(String arg) throws FtpSyntaxException {
        if (arg.length() < 2) {
            throw new FtpSyntaxException("EPRT needs <d>proto<d>address<d>port<d>: '" + arg + "'");
        }
        char d = arg.charAt(0);
        if (d < 33 || d > 126 || Character.isDigit(d)) {
            throw new FtpSyntaxException("EPRT delimiter must be a printable non-digit: '" + d + "'");
        }
        String[] f = arg.split(java.util.regex.Pattern.quote(String.valueOf(d)), -1);
        if (f.length != 5 || !f[0].isEmpty() || !f[4].isEmpty()) {
            throw new FtpSyntaxException("EPRT needs exactly <d>proto<d>address<d>port<d>: '" + arg + "'");
        }
        IpAddress a = literal(f[2], f[1], "EPRT");
        return new DataChannelOffer(DataChannelOffer.Form.EPRT, Optional.of(a), number(f[3], 65535, "EPRT port"));
    }

    static DataChannelOffer epsv(String text) throws FtpSyntaxException {
        String inner = between(text, '(', ')').orElseThrow(() -> new FtpSyntaxException("229 reply without '(...)': " + text));
        if (inner.length() < 5) {
            throw new FtpSyntaxException("229 needs (<d><d><d>port<d>): '" + inner + "'");
        }
        char d = inner.charAt(0);
        if (inner.charAt(1) != d || inner.charAt(2) != d || inner.charAt(inner.length() - 1) != d) {
            throw new FtpSyntaxException("229 needs (<d><d><d>port<d>): '" + inner + "'");
        }
        int port = number(inner.substring(3, inner.length() - 1), 65535, "229 port");
        return new DataChannelOffer(DataChannelOffer.Form.EPSV_229, Optional.empty(), port);
    }

    /** LPRT/228: af,hal,h1..hal,pal,p1..pal (RFC 1639); af 4 with 4 bytes or 6 with 16, pal 2. */
    static DataChannelOffer longForm(String arg, DataChannelOffer.Form form) throws FtpSyntaxException {
        String[] parts = arg.strip().split("\\s*,\\s*", -1);
        if (parts.length < 3) {
            throw new FtpSyntaxException(form + " needs af,hal,h1,...,pal,p1,...: '" + arg + "'");
        }
        int af = number(parts[0], 255, form + " af");
        int hal = number(parts[1], 255, form + " hal");
        if (!((af == 4 && hal == 4) || (af == 6 && hal == 16))) {
            throw new FtpSyntaxException(form + ": address family " + af + " with " + hal + " bytes is not IPv4 (4,4) or IPv6 (6,16)");
        }
        if (parts.length != 2 + hal + 1 + 2) {
            throw new FtpSyntaxException(form + ": expected " + (2 + hal + 3) + " numbers, found " + parts.length);
        }
        byte[] addr = new byte[hal];
        for (int i = 0; i < hal; i++) {
            addr[i] = (byte) number(parts[2 + i], 255, form + " address byte");
        }
        int pal = number(parts[2 + hal], 255, form + " pal");
        if (pal != 2) {
            throw new FtpSyntaxException(form + ": port length " + pal + " is not 2");
        }
        int port = portOf(number(parts[3 + hal], 255, form + " port"), number(parts[4 + hal], 255, form + " port"), form.name());
        try {
            // the JDK reads an IPv4-mapped IPv6 address as IPv4, as this always did
            return new DataChannelOffer(form, Optional.of(IpAddress.of(InetAddress.getByAddress(addr))), port);
        } catch (UnknownHostException e) {
            throw new FtpSyntaxException(form + ": bad address");
        }
    }

    // ---- formatting: what a rewriting ALG sends instead ----

    public static String formatPort(HostPort hp) {
        byte[] a = requireV4(hp).toBytes();
        return "PORT " + (a[0] & 255) + "," + (a[1] & 255) + "," + (a[2] & 255) + "," + (a[3] & 255) + ","
                + (hp.port() >> 8) + "," + (hp.port() & 255);
    }

    public static String formatEprt(HostPort hp) {
        // IPv6 in its shortest form (RFC 5952), as clients write it
        return "EPRT |" + (hp.ipv4() ? 1 : 2) + "|" + hp.address() + "|" + hp.port() + "|";
    }

    public static String formatLprt(HostPort hp) {
        return "LPRT " + longNumbers(hp);
    }

    public static String format227(HostPort hp) {
        byte[] a = requireV4(hp).toBytes();
        return "227 Entering Passive Mode (" + (a[0] & 255) + "," + (a[1] & 255) + "," + (a[2] & 255) + "," + (a[3] & 255) + ","
                + (hp.port() >> 8) + "," + (hp.port() & 255) + ").";
    }

    public static String format228(HostPort hp) {
        return "228 Entering Long Passive Mode (" + longNumbers(hp) + ")";
    }

    public static String format229(int port) {
        return "229 Entering Extended Passive Mode (|||" + port + "|)";
    }

    private static String longNumbers(HostPort hp) {
        byte[] a = hp.address().toBytes();
        StringBuilder sb = new StringBuilder().append(hp.ipv4() ? 4 : 6).append(',').append(a.length);
        for (byte b : a) {
            sb.append(',').append(b & 255);
        }
        return sb.append(",2,").append(hp.port() >> 8).append(',').append(hp.port() & 255).toString();
    }

    private static IpAddress requireV4(HostPort hp) {
        if (!hp.ipv4()) {
            throw new IllegalArgumentException("PORT and 227 carry IPv4 addresses only: " + hp);
        }
        return hp.address();
    }

    // ---- helpers ----

    private static int[] numbers(String s, int count, String what) throws FtpSyntaxException {
        String[] parts = s.strip().split("\\s*,\\s*", -1);
        if (parts.length != count) {
            throw new FtpSyntaxException(what + " needs " + count + " numbers h1,h2,h3,h4,p1,p2: '" + s.strip() + "'");
        }
        int[] n = new int[count];
        for (int i = 0; i < count; i++) {
            n[i] = number(parts[i], 255, what);
        }
        return n;
    }

    private static int number(String s, int max, String what) throws FtpSyntaxException {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 5) {
            throw new FtpSyntaxException(what + ": '" + t + "' is not a number 0-" + max);
        }
        for (int i = 0; i < t.length(); i++) {
            if (!Character.isDigit(t.charAt(i)) || t.charAt(i) > '9') {
                throw new FtpSyntaxException(what + ": '" + t + "' is not a number 0-" + max);
            }
        }
        int v = Integer.parseInt(t);
        if (v > max) {
            throw new FtpSyntaxException(what + ": " + v + " is above " + max);
        }
        return v;
    }

    private static int portOf(int hi, int lo, String what) {
        return (hi << 8) | lo;
    }

    private static IpAddress ipv4(int[] n) {
        return IpAddress.v4((n[0] << 24) | (n[1] << 16) | (n[2] << 8) | n[3]);
    }

    /** EPRT's address: a literal of the family it names (1 = IPv4, 2 = IPv6); never a name lookup. */
    private static IpAddress literal(String addr, String family, String what) throws FtpSyntaxException {
        String a = addr.strip();
        boolean v4 = family.strip().equals("1");
        boolean v6 = family.strip().equals("2");
        if (!v4 && !v6) {
            throw new FtpSyntaxException(what + ": network protocol '" + family + "' is not 1 (IPv4) or 2 (IPv6)");
        }
        boolean looksV4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean looksV6 = a.matches("[0-9A-Fa-f:.]+") && a.contains(":");
        if ((v4 && !looksV4) || (v6 && !looksV6)) {
            throw new FtpSyntaxException(what + ": '" + a + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address");
        }
        if (v4) {
            // checked here: an invalid dotted quad would otherwise be taken for a host name and looked up
            String[] octets = a.split("\\.");
            int[] n = new int[4];
            for (int i = 0; i < 4; i++) {
                n[i] = number(octets[i], 255, what + " address");
            }
            return ipv4(n);
        }
        try {
            IpAddress parsed = IpAddress.parse(a); // a literal: never a lookup
            if (v4 == parsed.v6()) {
                throw new FtpSyntaxException(what + ": '" + a + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address");
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new FtpSyntaxException(what + ": '" + a + "' is not an address");
        }
    }

    private static Optional<String> between(String text, char open, char close) {
        int o = text.indexOf(open);
        int c = text.lastIndexOf(close);
        return o >= 0 && c > o ? Optional.of(text.substring(o + 1, c)) : Optional.empty();
    }
}
