package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
/**
 * The first packet of a connection as the router's NAT sees it: source address, destination
 * address, destination port. The source port is left out on purpose: a client or server picks
 * it freely, and the addresses already pin the connection to the session's two peers.
 */
public record FlowKey(IpAddress source, IpAddress destination, int port) {
    public FlowKey {
        if (source.v6() != destination.v6()) {
            throw new IllegalArgumentException("a flow key has one address family: " + source + " -> " + destination);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    public boolean ipv4() {
        return !source.v6();
    }

    @Override
    public String toString() {
        return Addresses.text(source) + " -> " + Addresses.endpoint(destination, port);
    }
}
