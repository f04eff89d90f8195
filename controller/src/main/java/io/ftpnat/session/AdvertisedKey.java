package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * Where a repaired 227 pointed a client: (client, advertised address, port). A SYN there is a client
 * that trusts the reply; the element of the nft set {@code advertised4/6} that copies it.
 */
record AdvertisedKey(IpAddress client, IpAddress address, int port) {
}
