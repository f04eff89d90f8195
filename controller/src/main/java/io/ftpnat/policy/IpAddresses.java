package io.ftpnat.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses address literals only: a policy must never trigger a DNS lookup. */
public final class IpAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpAddresses() {
    }

    static InetAddress parse(String text) {
        String s = text.trim();
        boolean v4 = IPV4.matcher(s).matches();
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: octet " + octet + " is above 255");
                }
            }
        } else if (!IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (host names are not allowed here)");
        }
        try {
            return InetAddress.getByName(s); // a literal: no lookup happens
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /** The canonical text form: IPv6 compressed (RFC 5952), as nft and conntrack print it. */
    public static String format(InetAddress address) {
        return io.ftpnat.nativ.netlink.conntrack.IpAddress.of(address).toString();
    }
}
