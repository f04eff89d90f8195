package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.Optional;

/**
 * One data connection of the userspace ALG as the kernel's maps let it through (ftp-proxy's
 * add_rdr/add_nat in one value): the connection's first packet ({@code source . destination .
 * port}) is translated to {@code target . targetPort} and, when {@code snatTo} is present, its
 * source to that address. Typed values only: nothing here is ever text from a client.
 */
public record DataChannelRule(IpAddress source, IpAddress destination, int port, IpAddress target, int targetPort,
                              Optional<IpAddress> snatTo) {
    public DataChannelRule {
        if (port < 1 || port > 0xffff || targetPort < 1 || targetPort > 0xffff) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    public boolean ipv4() {
        return !source.v6();
    }
}
