package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.nftables.Concat;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.ruleset.TableObjects;
import java.time.Duration;

/**
 * The elements of the daemon's {@code advertised4/6} sets, written as nf_tables netlink batches of
 * typed values (addresses and a port) through the daemon's element writer.
 */
public final class NftAdvertisedAddresses implements AdvertisedAddresses {
    private final NetlinkElements elements;
    private final String table;

    public NftAdvertisedAddresses(NetlinkElements elements, String table) {
        this.elements = elements;
        this.table = table;
    }

    @Override
    public void add(IpAddress client, IpAddress advertised, int port, int timeoutSeconds) throws NetlinkException {
        try {
            elements.apply(ElementBatch.forTable(table).addSetElement(set(client), Concat.of(client, advertised, port),
                    Duration.ofSeconds(timeoutSeconds)));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENFILE) { // the kernel's answer for a set at its size
                throw new NetlinkException("add to set " + set(client), "the set is full (size " + SIZE + ")");
            }
            throw e;
        }
    }

    @Override
    public void remove(IpAddress client, IpAddress advertised, int port) {
        try {
            elements.apply(ElementBatch.forTable(table).destroyElement(set(client), Concat.of(client, advertised, port)));
        } catch (NetlinkException e) {
            // the table was replaced or is gone: nothing to remove
        }
    }

    private static String set(IpAddress client) {
        return client.v6() ? TableObjects.ADVERTISED6 : TableObjects.ADVERTISED4;
    }
}
