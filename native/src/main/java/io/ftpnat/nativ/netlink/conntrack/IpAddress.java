package io.ftpnat.nativ.netlink.conntrack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as one small value (no byte array, no DNS): IPv4 in the low 32 bits of
 * {@code lo}; IPv6 as two 64-bit halves. Cheap to decode in bulk; convert with
 * {@link #toInetAddress()} when an {@link InetAddress} is needed.
 */
public record IpAddress(boolean v6, long hi, long lo) {
    public static final IpAddress V4_ANY = v4(0);
    public static final IpAddress V6_ANY = v6(0, 0);
    public static final IpAddress V4_HOST_MASK = v4(0xffffffff);
    public static final IpAddress V6_HOST_MASK = v6(-1L, -1L);

    public IpAddress {
        if (!v6 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address out of range");
        }
    }

    public static IpAddress v4(int addr) {
        return new IpAddress(false, 0, addr & 0xffffffffL);
    }

    public static IpAddress v6(long hi, long lo) {
        return new IpAddress(true, hi, lo);
    }

    public static IpAddress of(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return v4(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return v6(hi, lo);
    }

    /**
     * Parses a numeric address literal ("10.0.0.1", "fd00::1"); never does a DNS lookup. The JDK's
     * InetAddress.getByName looks up anything that is not a valid literal ("999.1.1.1" included), so
     * IPv4 is parsed here by hand and only a string of hex digits, ':' and '.' that holds a ':' (which
     * the JDK parses as an IPv6 literal or refuses, without a lookup) reaches it.
     */
    public static IpAddress parse(String literal) {
        String s = literal.strip();
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            int v = 0;
            for (String octet : s.split("\\.")) {
                int o = Integer.parseInt(octet);
                if (o > 255) {
                    throw new IllegalArgumentException("not an IP address literal: " + literal + " (octet " + o + " is above 255)");
                }
                v = (v << 8) | o;
            }
            return v4(v);
        }
        if (s.length() > 45 || !s.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("not an IP address literal: " + literal);
        }
        try {
            return of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }

    /** The address family: AF_INET (2) or AF_INET6 (10). */
    public int family() {
        return v6 ? 10 : 2;
    }

    /** The IPv4 address as an int (host order value, e.g. 10.0.0.1 = 0x0a000001). */
    public int v4Int() {
        return (int) lo;
    }

    public boolean isAny() {
        return hi == 0 && lo == 0;
    }

    public byte[] toBytes() {
        byte[] b = new byte[v6 ? 16 : 4];
        if (v6) {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[i + 8] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (lo >>> (24 - 8 * i));
            }
        }
        return b;
    }

    public InetAddress toInetAddress() {
        try {
            return v6 ? Inet6Address.getByAddress(null, toBytes(), null) : InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Dotted quad, or RFC 5952 text for IPv6 (longest zero run as "::"), like conntrack prints. */
    @Override
    public String toString() {
        if (!v6) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
