package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.session.AdvertisedAddresses;

/**
 * Adds elements to the daemon's {@code advertised4/6} sets through libnftables (its own context:
 * contexts are independent, and this one is used under its own lock only).
 */
public final class NftAdvertisedAddresses implements AdvertisedAddresses, AutoCloseable {
    private final String table;
    private NftContext nft;

    public NftAdvertisedAddresses(String table) {
        this.table = table;
    }

    @Override
    public synchronized void add(IpAddress client, IpAddress advertised, int port, int timeoutSeconds) throws NftException {
        if (nft == null) {
            nft = NftContext.open();
        }
        // addresses come from IpAddress (parsed numbers), never from packet text: nothing to escape
        String set = client.v6() ? "advertised6" : "advertised4";
        try {
            nft.run("add element inet " + table + " " + set + " { " + client + " . " + advertised + " . " + port
                    + " timeout " + timeoutSeconds + "s }");
        } catch (NftException e) {
            if (e.getMessage() != null && e.getMessage().contains("Too many open files")) {
                // the kernel's ENFILE for a set at its size
                throw new NftException("set " + set + " is full (size " + SIZE + ")", e.nftError());
            }
            throw e;
        }
    }

    @Override
    public synchronized void remove(IpAddress client, IpAddress advertised, int port) {
        if (nft == null) {
            return;
        }
        String set = client.v6() ? "advertised6" : "advertised4";
        try {
            nft.run("delete element inet " + table + " " + set + " { " + client + " . " + advertised + " . " + port + " }");
        } catch (NftException e) {
            // timed out already, or the table was replaced: nothing to remove
        }
    }

    @Override
    public synchronized void close() {
        if (nft != null) {
            nft.close();
            nft = null;
        }
    }
}
