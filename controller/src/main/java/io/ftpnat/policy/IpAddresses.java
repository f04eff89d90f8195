package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.regex.Pattern;

/** Parses address literals only: a policy must never trigger a DNS lookup. */
public final class IpAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpAddresses() {
    }

    static IpAddress parse(String text) {
        String s = text.strip();
        if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (host names are not allowed here)");
        }
        try {
            return IpAddress.parse(s); // literals only: no lookup
        } catch (IllegalArgumentException e) {
            String detail = e.getMessage().contains("above 255") ? ": " + e.getMessage().replaceFirst("^.*\\((.*)\\)$", "$1") : "";
            throw new IllegalArgumentException("'" + text + "' is not an " + (IPV4.matcher(s).matches() ? "IPv4 " : "IP ") + "address" + detail);
        }
    }

    /** The canonical text form: IPv6 compressed (RFC 5952), as nft and conntrack print it. */
    public static String format(IpAddress address) {
        return address.toString();
    }
}
