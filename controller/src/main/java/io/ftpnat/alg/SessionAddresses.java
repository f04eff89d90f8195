package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.net.InetSocketAddress;

/**
 * The four endpoints of a proxied session. {@code client}: the client as the router sees it.
 * {@code clientView}: the address the client connected to (its original destination — the
 * server itself through an SNAT rule, the published address through a DNAT rule); data
 * connections must look, to the client, as if they were to and from it. {@code server}: where the
 * proxy connected. {@code upstreamLocal}: the router's end of that connection, which the server
 * takes for the client. The three socket addresses are what the control sockets reported (the
 * socket edge); the domain reads their addresses as {@link IpAddress}.
 */
public record SessionAddresses(InetSocketAddress client, IpAddress clientView, InetSocketAddress server,
        InetSocketAddress upstreamLocal) {

    public IpAddress clientAddress() {
        return Addresses.of(client);
    }

    public IpAddress serverAddress() {
        return Addresses.of(server);
    }

    public IpAddress routerAddress() {
        return Addresses.of(upstreamLocal);
    }
}
