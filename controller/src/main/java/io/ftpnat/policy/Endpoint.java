package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.OptionalInt;

/**
 * An address with an optional port: {@code 192.168.10.115}, {@code 192.168.10.115:2121},
 * {@code fd00::115} or {@code [fd00::115]:2121}.
 */
public record Endpoint(IpAddress address, OptionalInt port) {
    public static Endpoint parse(String text) {
        String s = text.trim();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']' after the IPv6 address");
            }
            IpAddress a = IpAddresses.parse(s.substring(1, close));
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return new Endpoint(a, OptionalInt.empty());
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("'" + text + "': expected ':PORT' after ']'");
            }
            return new Endpoint(a, OptionalInt.of(port(rest.substring(1), text)));
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
            return new Endpoint(IpAddresses.parse(s.substring(0, colon)), OptionalInt.of(port(s.substring(colon + 1), text)));
        }
        return new Endpoint(IpAddresses.parse(s), OptionalInt.empty());
    }

    private static int port(String p, String whole) {
        try {
            int v = Integer.parseInt(p);
            if (v >= 1 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + whole + "': '" + p + "' is not a port in 1-65535");
    }

    /** The address alone, as nftables prints it. */
    public String addressText() {
        return IpAddresses.format(address);
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    /** nftables' form in a NAT statement: {@code 192.168.10.115:21} or {@code [fd00::115]:21}. */
    public String toNft(int defaultPort) {
        String a = IpAddresses.format(address);
        int p = port.orElse(defaultPort);
        return family() == IpFamily.IPV6 ? "[" + a + "]:" + p : a + ":" + p;
    }

    @Override
    public String toString() {
        String a = IpAddresses.format(address);
        if (port.isEmpty()) {
            return a;
        }
        return family() == IpFamily.IPV6 ? "[" + a + "]:" + port.getAsInt() : a + ":" + port.getAsInt();
    }
}
