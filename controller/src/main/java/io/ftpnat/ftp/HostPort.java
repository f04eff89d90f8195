package io.ftpnat.ftp;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An address and port named inside the FTP dialogue (PORT, EPRT, LPRT, 227, 228, 229). */
public record HostPort(InetAddress address, int port) {
    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    public boolean ipv4() {
        return address instanceof Inet4Address;
    }

    @Override
    public String toString() {
        String a = address.getHostAddress();
        return ipv4() ? a + ":" + port : "[" + a + "]:" + port;
    }
}
