package io.ftpnat.nativ.netlink.log;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * A bound nfnetlink_log group: packets matched by nft {@code log group N} arrive here with their
 * payload. One socket per group (the kernel answers EBUSY when another socket holds the group).
 *
 * <p>Threading: call {@link #poll} from one thread (a dedicated reader, or a thread that waits on
 * several sockets and polls with timeout 0). {@link #close()} unbinds the group.
 */
public final class NflogSocket implements AutoCloseable {
    /** What the kernel copies of each packet. */
    public enum CopyMode { NONE, META, PACKET }

    // linux/netfilter/nfnetlink_log.h
    private static final int NFULNL_MSG_PACKET = 0;
    private static final int NFULNL_MSG_CONFIG = 1;
    private static final int NFULA_CFG_CMD = 1;
    private static final int NFULA_CFG_MODE = 2;
    private static final int NFULA_CFG_NLBUFSIZ = 3;
    private static final int NFULA_CFG_TIMEOUT = 4;
    private static final int NFULA_CFG_QTHRESH = 5;
    private static final int NFULA_CFG_FLAGS = 6;
    private static final int NFULNL_CFG_CMD_BIND = 1;
    private static final int NFULNL_CFG_CMD_UNBIND = 2;
    /** NFULNL_CFG_F_SEQ: number packets per group. */
    public static final int FLAG_SEQ = 1;

    private static final int TYPE_CONFIG = Netlink.nfType(Netlink.NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG);
    private static final int TYPE_PACKET = Netlink.nfType(Netlink.NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET);

    private final NetlinkConnection conn;
    private final int group;
    private long lost;
    private NflogHandler handler;
    private int delivered;

    private NflogSocket(NetlinkConnection conn, int group) {
        this.conn = conn;
        this.group = group;
    }

    /**
     * Binds {@code group} on {@code transport} and configures it: copy mode and range, immediate
     * delivery (queue threshold 1, flush timeout 0), sequence numbers.
     */
    public static NflogSocket bind(NetlinkTransport transport, int group, CopyMode mode, int copyRange)
            throws NetlinkException {
        NetlinkConnection conn = new NetlinkConnection(transport, 256 * 1024);
        try {
            transport.setReceiveBufferSize(4 << 20);
            NflogSocket s = new NflogSocket(conn, group);
            s.command(NFULNL_CFG_CMD_BIND, "bind NFLOG group " + group);
            s.setMode(mode, copyRange);
            MessageWriter w = conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, group);
            w.be32(NFULA_CFG_QTHRESH, 1);
            w.be32(NFULA_CFG_TIMEOUT, 0);
            w.be16(NFULA_CFG_FLAGS, FLAG_SEQ);
            conn.execute("configure NFLOG group " + group + " for immediate delivery", (b, t, f, p, e) -> { });
            return s;
        } catch (NetlinkException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** Binds in the calling thread's network namespace. */
    public static NflogSocket bind(int group, CopyMode mode, int copyRange) throws NetlinkException {
        return bind(KernelTransport.open(KernelTransport.NETLINK_NETFILTER), group, mode, copyRange);
    }

    /** Binds with a socket living in {@code ns}. */
    public static NflogSocket bind(NetworkNamespace ns, int group, CopyMode mode, int copyRange) throws NetlinkException {
        return bind(ns.openNetlink(KernelTransport.NETLINK_NETFILTER), group, mode, copyRange);
    }

    static void modeAttr(MessageWriter w, CopyMode mode, int copyRange) {
        // struct nfulnl_msg_config_mode { __be32 copy_range; __u8 copy_mode; __u8 _pad; } __packed
        w.bytes(NFULA_CFG_MODE, new byte[] {(byte) (copyRange >>> 24), (byte) (copyRange >>> 16), (byte) (copyRange >>> 8),
                (byte) copyRange, (byte) mode.ordinal(), 0});
    }

    /** Changes the copy mode/range of the bound group. */
    public void setMode(CopyMode mode, int copyRange) throws NetlinkException {
        MessageWriter w = conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, group);
        modeAttr(w, mode, copyRange);
        conn.execute("set NFLOG group " + group + " copy " + mode + " range " + copyRange, (b, t, f, p, e) -> { });
    }

    /** Sets the kernel-side batching buffer (NFULA_CFG_NLBUFSIZ), bytes. */
    public void setKernelBufferSize(int bytes) throws NetlinkException {
        conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, group).be32(NFULA_CFG_NLBUFSIZ, bytes);
        conn.execute("set NFLOG group " + group + " nlbufsiz " + bytes, (b, t, f, p, e) -> { });
    }

    private void command(int cmd, String what) throws NetlinkException {
        MessageWriter w = conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, group);
        w.u8(NFULA_CFG_CMD, cmd);
        conn.execute(what, (b, t, f, p, e) -> { });
    }

    public int group() {
        return group;
    }

    public long lostCount() {
        return lost;
    }

    /**
     * Receives one datagram (the kernel may batch several packets in one) and hands each packet to
     * {@code handler}. Returns the number of packets, 0 after reporting a loss, -1 on timeout.
     */
    public int poll(NflogHandler handler, int timeoutMillis) throws NetlinkException {
        this.handler = handler;
        this.delivered = 0;
        try {
            int n = conn.receiveUnsolicited(timeoutMillis, (b, type, flags, p, e) -> {
                if (type == TYPE_PACKET) {
                    delivered++;
                    this.handler.onPacket(NflogPacket.decode(b, p, e));
                }
            });
            return n < 0 ? -1 : delivered;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOBUFS) {
                lost++;
                handler.onPacketsLost();
                return 0;
            }
            throw e;
        }
    }

    /** The socket, for a thread that waits on it together with others ({@link io.ftpnat.nativ.netlink.KernelTransport#awaitAny}). */
    public NetlinkTransport transport() {
        return conn.transport();
    }

    @Override
    public void close() {
        try {
            command(NFULNL_CFG_CMD_UNBIND, "unbind NFLOG group " + group);
        } catch (NetlinkException e) {
            // closing the socket releases the group anyway
        } finally {
            conn.close();
        }
    }
}
