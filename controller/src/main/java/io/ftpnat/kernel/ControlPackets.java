package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.KernelTransport;
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

    /**
     * One bound group, read by one thread. That thread may also serve the hold: {@link #await}
     * waits on both sockets at once, so the copies ahead of a held reply (its PASV's, usually, and
     * its own) are read before the held reply is judged, without a second thread to wake.
     */
    interface Source extends AutoCloseable {
        /**
         * Waits at most {@code timeoutMillis} until copies are waiting here or, when {@code hold}
         * is not null, packets are held there.
         */
        Ready await(SegmentHold hold, int timeoutMillis) throws NetlinkException;

        /**
         * Hands what is waiting now to {@code handler}, without waiting: at most {@code
         * maxDatagrams} datagrams. Returns the number of packets handed.
         */
        int drain(NflogHandler handler, int maxDatagrams) throws NetlinkException;

        @Override
        void close();
    }

    /**
     * Runs the calling thread (the one that reads the copies and serves the hold) at nice value
     * {@code nice}: a held reply waits for this thread, so on a busy router it should not queue
     * behind the rest of the daemon or batch work. Below 0 needs CAP_SYS_NICE or RLIMIT_NICE
     * (the unit's {@code LimitNICE=}).
     */
    static void runCurrentThreadAt(int nice) throws NetlinkException {
        io.ftpnat.nativ.netlink.ThreadNice.setCurrent(nice);
    }

    /** What {@link Source#await} found waiting. */
    record Ready(boolean copies, boolean held) {
    }

    /** Over an NFLOG socket on {@code group}, copying {@code snaplen} bytes of each packet. */
    static ControlPackets nflog(int group, int snaplen) {
        return () -> new NflogSource(NflogSocket.bind(group, NflogSocket.CopyMode.PACKET, snaplen));
    }

    /** The NFLOG socket, waited on alone or with the hold's queue socket (one poll over both). */
    final class NflogSource implements Source {
        private final NflogSocket socket;
        private final KernelTransport.Poller alone;
        private SegmentHold pollerHold;
        private KernelTransport.Poller withHold;

        NflogSource(NflogSocket socket) {
            this.socket = socket;
            this.alone = new KernelTransport.Poller((KernelTransport) socket.transport());
        }

        @Override
        public Ready await(SegmentHold hold, int timeoutMillis) throws NetlinkException {
            if (hold == null) {
                return new Ready(alone.await(timeoutMillis) != 0, false);
            }
            if (hold != pollerHold) {
                if (!(hold instanceof NfqueueSegmentHold queue)) {
                    throw new IllegalArgumentException("a hold this kernel did not bind: " + hold);
                }
                withHold = new KernelTransport.Poller((KernelTransport) socket.transport(), queue.transport());
                pollerHold = hold;
            }
            int ready = withHold.await(timeoutMillis);
            return new Ready((ready & 1) != 0, (ready & 2) != 0);
        }

        @Override
        public int drain(NflogHandler handler, int maxDatagrams) throws NetlinkException {
            int packets = 0;
            for (int i = 0; i < maxDatagrams; i++) {
                int n = socket.poll(handler, 0);
                if (n < 0) {
                    break;
                }
                packets += n;
            }
            return packets;
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
