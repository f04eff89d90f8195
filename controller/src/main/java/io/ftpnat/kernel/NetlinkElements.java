package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.nativ.netlink.nftables.NftElements;

/**
 * The daemon's writer of run-time set and map elements into its table: one nf_tables netlink
 * socket, opened on first use in the daemon's namespace, shared by the threads that call it (the
 * writer is not thread-safe: calls are serialised; each is a few microseconds). A socket that
 * failed is closed and opened again on the next call.
 */
public final class NetlinkElements implements AutoCloseable {
    private NftElements socket;

    /** Applies {@code batch} as one transaction; all of it or none. */
    public synchronized void apply(ElementBatch batch) throws NetlinkException {
        if (socket == null) {
            socket = NftElements.open();
        }
        try {
            socket.apply(batch);
        } catch (NetlinkException e) {
            if (e.errno() == 0) { // no reply, or a reply we could not read: start afresh
                close();
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
