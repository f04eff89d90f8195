package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * The nft set of addresses repaired 227 replies advertised (set {@code advertised4/6} in the
 * daemon's table): a client connecting to one is copied to the observer, so the daemon can move
 * the expectation to where the client actually goes.
 */
@FunctionalInterface
public interface AdvertisedAddresses {
    AdvertisedAddresses NONE = (client, advertised, port, seconds) -> { };

    /** Sets {@code advertised4/6} have a size ({@link #SIZE}): an add to a full set fails. */
    int SIZE = io.ftpnat.ruleset.TableObjects.ADVERTISED_SIZE;

    void add(IpAddress client, IpAddress advertised, int port, int timeoutSeconds) throws Exception;

    /** Removes an element (a session's previous watch) so the set holds one per session; absent is fine. */
    default void remove(IpAddress client, IpAddress advertised, int port) {
    }
}
