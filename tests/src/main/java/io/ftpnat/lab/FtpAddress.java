package io.ftpnat.lab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address and port as FTP carries them in the control channel: {@code PORT h1,h2,h3,h4,p1,p2},
 * {@code 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)}, {@code EPRT |af|addr|port|},
 * {@code 229 Entering Extended Passive Mode (|||port|)} (no address: the control peer's).
 */
public record FtpAddress(String host, int port) {
    private static final Pattern SIX = Pattern.compile("(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)");
    private static final Pattern EXT = Pattern.compile("\\|(\\d?)\\|([^|]*)\\|(\\d+)\\|");

    /** Parses the address out of a PORT command, a 227 reply, an EPRT command or a 229 reply; null if none. */
    public static FtpAddress parse(String line) {
        if (line == null) return null;
        Matcher m = SIX.matcher(line);
        if (m.find()) {
            return new FtpAddress(m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4),
                    Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6)));
        }
        m = EXT.matcher(line);
        if (m.find()) return new FtpAddress(normalize(m.group(2)), Integer.parseInt(m.group(3)));
        return null;
    }

    /** IPv6 literals in their compressed form (the kernel writes EPRT addresses in full: fd00:0192:0000:…). */
    static String normalize(String host) {
        if (!host.contains(":")) return host;
        try {
            return Pcap.compress(java.net.InetAddress.getByName(host).getHostAddress());
        } catch (java.net.UnknownHostException e) {
            return host;
        }
    }

    @Override
    public String toString() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }
}
