package io.ftpnat.nativ.netlink.conntrack;

import java.util.EnumSet;
import java.util.Set;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * A subscription to conntrack/expectation events (nfnetlink multicast groups).
 *
 * <p>Order matters with the default {@code net.netfilter.nf_conntrack_events=2}: the kernel only
 * attaches event data to connections created while a listener exists, so <b>subscribe first,
 * then dump</b> to build the initial state.
 *
 * <p>Threading: call {@link #poll} from one thread — a dedicated reader thread looping on
 * {@code poll(handler, 200)}, or the daemon's event loop with {@code poll(handler, 0)}. The
 * handler runs on that thread.
 */
public final class ConntrackEvents implements AutoCloseable {
    /** Default socket receive buffer: 8 MiB (forced past rmem_max with SO_RCVBUFFORCE). */
    public static final int DEFAULT_RECEIVE_BUFFER = 8 << 20;

    /** nfnetlink groups (enum nfnetlink_groups). */
    public enum Group {
        NEW(1), UPDATE(2), DESTROY(3), EXP_NEW(4), EXP_DESTROY(6);

        final int id;

        Group(int id) {
            this.id = id;
        }
    }

    public static final Set<Group> ALL = EnumSet.allOf(Group.class);
    private static final int MAX_DRAIN_DATAGRAMS = 1_000_000;

    private final NetlinkConnection conn;
    private final int receiveBuffer;
    private volatile boolean filtered;
    private long lost;
    private EventHandler handler;
    private int delivered;

    private ConntrackEvents(NetlinkTransport transport, int receiveBuffer, boolean filtered) {
        this.conn = new NetlinkConnection(transport);
        this.receiveBuffer = receiveBuffer;
        this.filtered = filtered;
    }

    /** Subscribes on the given transport to {@code groups}, with a socket receive buffer of {@code receiveBufferBytes}. */
    public static ConntrackEvents subscribe(NetlinkTransport transport, Set<Group> groups, int receiveBufferBytes)
            throws NetlinkException {
        return subscribe(transport, groups, receiveBufferBytes, null);
    }

    /**
     * Subscribes with a socket filter ({@code null}: none) that the kernel runs on each event for
     * this socket only, e.g. {@link FtpEventFilter#program()}. It is attached before joining the
     * groups, so nothing unfiltered is ever queued. Rejected events never count against the
     * receive buffer, so they cannot cause losses (ENOBUFS) either. A kernel that refuses the
     * program leaves the socket unfiltered ({@link #kernelFiltered()} false), not unusable.
     */
    public static ConntrackEvents subscribe(NetlinkTransport transport, Set<Group> groups, int receiveBufferBytes,
                                            io.ftpnat.nativ.netlink.SocketFilter filter) throws NetlinkException {
        try {
            boolean filtered = false;
            if (filter != null) {
                try {
                    filtered = transport.attachFilter(filter);
                } catch (NetlinkException refused) {
                    // a kernel refusing the program: everything is delivered and the caller's checks decide
                    // (slower, never wrong); kernelFiltered() says so
                }
            }
            int actual = receiveBufferBytes > 0 ? transport.setReceiveBufferSize(receiveBufferBytes) : 0;
            for (Group g : groups) {
                transport.joinGroup(g.id);
            }
            return new ConntrackEvents(transport, actual, filtered);
        } catch (NetlinkException e) {
            transport.close();
            throw e;
        }
    }

    /** Subscribes in the calling thread's network namespace. */
    public static ConntrackEvents subscribe(Set<Group> groups) throws NetlinkException {
        return subscribe(KernelTransport.open(KernelTransport.NETLINK_NETFILTER), groups, DEFAULT_RECEIVE_BUFFER);
    }

    /** Subscribes with a socket living in {@code ns}. */
    public static ConntrackEvents subscribe(NetworkNamespace ns, Set<Group> groups, int receiveBufferBytes)
            throws NetlinkException {
        return subscribe(ns.openNetlink(KernelTransport.NETLINK_NETFILTER), groups, receiveBufferBytes);
    }

    /** The socket receive buffer the kernel granted (bytes; the kernel doubles the requested value). */
    public int receiveBufferSize() {
        return receiveBuffer;
    }

    /**
     * Replaces the socket's filter (the kernel swaps it atomically, while another thread may be
     * receiving): e.g. the same program, now also dropping what a new socket of the caller causes.
     * Returns whether the kernel took it; if not, the previous program stays.
     */
    public boolean refilter(io.ftpnat.nativ.netlink.SocketFilter filter) throws NetlinkException {
        boolean attached = conn.transport().attachFilter(filter);
        if (attached) {
            filtered = true;
        }
        return attached;
    }

    /** Whether the kernel filters this socket's events (a filter was given and attached). */
    public boolean kernelFiltered() {
        return filtered;
    }

    /** How many times the kernel reported lost events (ENOBUFS) so far. */
    public long lostCount() {
        return lost;
    }

    /**
     * Receives one datagram of events (waiting at most {@code timeoutMillis}; 0 = do not wait) and
     * delivers them to {@code handler}. Returns the number of events delivered, or -1 when nothing
     * arrived in time. When the kernel reports lost events (ENOBUFS), everything still queued is
     * delivered first (the socket is drained) and then {@link EventHandler#onEventsLost()} is
     * called: dump then, and the result is complete.
     */
    public int poll(EventHandler handler, int timeoutMillis) throws NetlinkException {
        this.handler = handler;
        this.delivered = 0;
        try {
            int n = conn.receiveUnsolicited(timeoutMillis, this::onMessage);
            return n < 0 ? -1 : delivered;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOBUFS) {
                lost++;
                drain();
                handler.onEventsLost();
                return delivered;
            }
            throw e;
        }
    }

    /**
     * After ENOBUFS the kernel marks the socket congested and reports no further drops until its
     * queue has been read empty. So deliver what is queued first: once drained, any new loss is
     * reported again, and a resync dump taken now misses nothing unreported.
     */
    private void drain() throws NetlinkException {
        for (int i = 0; i < MAX_DRAIN_DATAGRAMS; i++) {
            try {
                if (conn.receiveUnsolicited(0, this::onMessage) < 0) {
                    return;
                }
            } catch (NetlinkException again) {
                if (again.errno() != Errno.ENOBUFS) {
                    throw again;
                }
            }
        }
    }

    private void onMessage(java.nio.ByteBuffer b, int type, int flags, int payload, int end) throws NetlinkDecodeException {
        EventHandler h = handler;
        int subsys = type >> 8;
        int msg = type & 0xff;
        boolean created = (flags & (Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)) != 0;
        if (subsys == Netlink.NFNL_SUBSYS_CTNETLINK) {
            ConntrackEvent.Type t;
            if (msg == Cta.IPCTNL_MSG_CT_DELETE) {
                t = ConntrackEvent.Type.DESTROY;
            } else if (msg == Cta.IPCTNL_MSG_CT_NEW) {
                t = created ? ConntrackEvent.Type.NEW : ConntrackEvent.Type.UPDATE;
            } else {
                return;
            }
            delivered++;
            h.onConntrack(new ConntrackEvent(t, Conntrack.decode(b, payload, end)));
        } else if (subsys == Netlink.NFNL_SUBSYS_CTNETLINK_EXP) {
            ExpectationEvent.Type t;
            if (msg == Cta.IPCTNL_MSG_EXP_DELETE) {
                t = ExpectationEvent.Type.DESTROY;
            } else if (msg == Cta.IPCTNL_MSG_EXP_NEW) {
                t = ExpectationEvent.Type.NEW;
            } else {
                return;
            }
            delivered++;
            h.onExpectation(new ExpectationEvent(t, Expectation.decode(b, payload, end)));
        }
    }

    @Override
    public void close() {
        conn.close();
    }
}
