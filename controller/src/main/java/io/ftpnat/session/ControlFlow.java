package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * A control connection as the observer's copies show it at the forward hook: the client's real
 * address and port and the server's real address and port (DNAT is done there, SNAT is not yet,
 * in both directions), whatever NAT the rule applies.
 *
 * <p>Not the ALG's {@code alg.FlowKey}: that one is the key of an nft map element (source,
 * destination, destination port of a data connection's first packet); this one names a control
 * connection by both of its endpoints.
 */
record ControlFlow(IpAddress client, int clientPort, IpAddress server, int serverPort) {
    ControlFlow reversed() {
        return new ControlFlow(server, serverPort, client, clientPort);
    }
}
