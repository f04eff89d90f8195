package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.log.NflogHandler;
import io.ftpnat.nativ.netlink.log.NflogSocket;

/**
 * Kernel verb "observe control packets": the NFLOG copies the ruleset makes of FTP control
 * segments (and of SYNs to watched addresses) for the session observer. (The verbs "hold/release a
 * packet", an NFQUEUE verdict for the few 227/229 segments that need a repair first, belong next
 * to this one.)
 */
public interface ControlPackets {
    /** Binds the ruleset's NFLOG group; the caller polls on its own thread and closes it. */
    Source open() throws NetlinkException;

    interface Source extends AutoCloseable {
        void poll(NflogHandler handler, int timeoutMillis) throws NetlinkException;

        @Override
        void close();
    }

    /** Over an NFLOG socket on {@code group}, copying {@code snaplen} bytes of each packet. */
    static ControlPackets nflog(int group, int snaplen) {
        return () -> {
            NflogSocket socket = NflogSocket.bind(group, NflogSocket.CopyMode.PACKET, snaplen);
            return new Source() {
                @Override
                public void poll(NflogHandler handler, int timeoutMillis) throws NetlinkException {
                    socket.poll(handler, timeoutMillis);
                }

                @Override
                public void close() {
                    socket.close();
                }
            };
        };
    }
}
