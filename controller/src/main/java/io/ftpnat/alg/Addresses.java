package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Address text as nftables and operators write it (compressed IPv6, no scope, no host names), and
 * the ALG's socket edge: the domain holds {@link IpAddress}; java.nio sockets take and report
 * {@link InetAddress}/{@link InetSocketAddress}, converted here and only where a socket is used.
 */
public final class Addresses {
    private Addresses() {
    }

    /** Dotted quad, or compressed IPv6 (RFC 5952): {@link IpAddress#toString()}. */
    public static String text(IpAddress a) {
        return a.toString();
    }

    public static String endpoint(IpAddress a, int port) {
        return a.v6() ? "[" + text(a) + "]:" + port : text(a) + ":" + port;
    }

    public static String endpoint(InetSocketAddress s) {
        return endpoint(IpAddress.of(s.getAddress()), s.getPort());
    }

    /** Socket edge: the address a socket reported, as the domain's value. */
    static IpAddress of(InetSocketAddress s) {
        return IpAddress.of(s.getAddress());
    }

    /** Socket edge: a domain address and port as a socket takes them. */
    static InetSocketAddress socket(IpAddress a, int port) {
        return new InetSocketAddress(a.toInetAddress(), port);
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d: a dual-stack socket's view of an IPv4 peer) as the IPv4 one. */
    static IpAddress unmapped(IpAddress a) {
        return a.v6() && a.hi() == 0 && (a.lo() >>> 32) == 0xffffL ? IpAddress.v4((int) a.lo()) : a;
    }

    static InetSocketAddress unmapped(InetSocketAddress s) {
        IpAddress a = of(s);
        IpAddress u = unmapped(a);
        return u.equals(a) ? s : socket(u, s.getPort());
    }
}
