package io.ftpnat.alg;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Address text as nftables and operators write it (compressed IPv6, no scope, no host names). */
public final class Addresses {
    private Addresses() {
    }

    public static String text(InetAddress a) {
        if (a instanceof Inet6Address) {
            return io.ftpnat.policy.IpAddresses.format(a);
        }
        return a.getHostAddress();
    }

    public static String endpoint(InetAddress a, int port) {
        return a instanceof Inet4Address ? text(a) + ":" + port : "[" + text(a) + "]:" + port;
    }

    public static String endpoint(InetSocketAddress s) {
        return endpoint(s.getAddress(), s.getPort());
    }

    /** An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) as the IPv4 one. */
    static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    static InetSocketAddress unmapped(InetSocketAddress s) {
        return new InetSocketAddress(unmapped(s.getAddress()), s.getPort());
    }
}
