package io.ftpnat.ftp;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/** An address and port named inside the FTP dialogue (PORT, EPRT, LPRT, 227, 228, 229). */
public record HostPort(IpAddress address, int port) {
    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    public boolean ipv4() {
        return !address.v6();
    }

    @Override
    public String toString() {
        // the JDK's uncompressed IPv6 text, as this always printed (not the RFC 5952 form)
        String a = address.toInetAddress().getHostAddress();
        return ipv4() ? a + ":" + port : "[" + a + "]:" + port;
    }
}
