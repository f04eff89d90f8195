package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * A control connection as the observer's copies show it at the forward hook: the client's real
 * address and port and the server's real address and port (DNAT is done there, SNAT is not yet,
 * in both directions), whatever NAT the rule applies.
 */
record FlowKey(IpAddress client, int clientPort, IpAddress server, int serverPort) {
}
