package io.ftpnat.alg;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The four endpoints of a proxied session. {@code client}: the client as the router sees it.
 * {@code clientView}: the address the client connected to (its original destination — the
 * server itself through an SNAT rule, the published address through a DNAT rule); data
 * connections must look, to the client, as if they were to and from it. {@code server}: where the
 * proxy connected. {@code upstreamLocal}: the router's end of that connection, which the server
 * takes for the client.
 */
public record SessionAddresses(InetSocketAddress client, InetAddress clientView, InetSocketAddress server,
        InetSocketAddress upstreamLocal) {

    public InetAddress clientAddress() {
        return client.getAddress();
    }

    public InetAddress serverAddress() {
        return server.getAddress();
    }

    public InetAddress routerAddress() {
        return upstreamLocal.getAddress();
    }
}
