package io.ftpnat.nativ.netlink.queue;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import io.ftpnat.nativ.netlink.NetworkNamespace;
import java.util.function.Consumer;

/**
 * A bound nfnetlink_queue: packets a rule sends to queue N wait in the kernel until this socket
 * gives each its verdict (accept or drop). What holds a packet here is a rule of the xtables
 * NFQUEUE target (through nft_compat, e.g. {@code iptables-nft … -j NFQUEUE --queue-num N
 * --queue-bypass}): this kernel has no nft {@code queue} expression. With {@code --queue-bypass}
 * the kernel lets packets pass while no socket is bound — a daemon that is gone never blocks traffic.
 *
 * <p>The queue is bounded ({@link #bind}'s {@code maxQueued}); when it is full the kernel accepts
 * new packets instead of queueing them (fail open, NFQA_CFG_F_FAIL_OPEN), so a flood costs the
 * held packets nothing but their hold.
 *
 * <p>Threading: {@link #poll} from one thread; {@link #verdict} from one thread at a time, which may
 * be another one than the poller's (the verdict must come from this socket, and send and receive
 * share no buffer: a packet is decided where its outcome is known, without waking the poller).
 * A packet may be decided later; the kernel keeps it meanwhile. {@link #close()} unbinds the queue.
 */
public final class NfqueueSocket implements AutoCloseable {
    /** The verdicts userspace gives (NF_DROP, NF_ACCEPT). */
    public enum Verdict {
        DROP(0), ACCEPT(1);

        final int code;

        Verdict(int code) {
            this.code = code;
        }
    }

    // linux/netfilter/nfnetlink_queue.h
    private static final int NFQNL_MSG_PACKET = 0;
    private static final int NFQNL_MSG_VERDICT = 1;
    private static final int NFQNL_MSG_CONFIG = 2;
    private static final int NFQA_VERDICT_HDR = 2;
    private static final int NFQA_CFG_CMD = 1;
    private static final int NFQA_CFG_PARAMS = 2;
    private static final int NFQA_CFG_QUEUE_MAXLEN = 3;
    private static final int NFQA_CFG_MASK = 4;
    private static final int NFQA_CFG_FLAGS = 5;
    private static final int NFQNL_CFG_CMD_BIND = 1;
    private static final int NFQNL_CFG_CMD_UNBIND = 2;
    private static final int NFQNL_COPY_PACKET = 2;
    private static final int NFQA_CFG_F_FAIL_OPEN = 1;

    private static final int TYPE_CONFIG = Netlink.nfType(Netlink.NFNL_SUBSYS_QUEUE, NFQNL_MSG_CONFIG);
    private static final int TYPE_PACKET = Netlink.nfType(Netlink.NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET);
    private static final int TYPE_VERDICT = Netlink.nfType(Netlink.NFNL_SUBSYS_QUEUE, NFQNL_MSG_VERDICT);

    private final NetlinkConnection conn;
    private final int queue;
    private long lost;
    private long verdictErrors;
    private Consumer<NfqueuePacket> handler;
    private int delivered;

    private NfqueueSocket(NetlinkConnection conn, int queue) {
        this.conn = conn;
        this.queue = queue;
    }

    /**
     * Binds queue {@code queue} on {@code transport}: whole packets up to {@code copyRange} bytes, at
     * most {@code maxQueued} packets held (beyond that the kernel accepts them unheld).
     */
    public static NfqueueSocket bind(NetlinkTransport transport, int queue, int copyRange, int maxQueued) throws NetlinkException {
        NetlinkConnection conn = new NetlinkConnection(transport, 256 * 1024);
        try {
            transport.setReceiveBufferSize(2 << 20);
            NfqueueSocket s = new NfqueueSocket(conn, queue);
            s.command(NFQNL_CFG_CMD_BIND, "bind NFQUEUE " + queue);
            MessageWriter w = conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, queue);
            // struct nfqnl_msg_config_params { __be32 copy_range; __u8 copy_mode; } __packed
            w.bytes(NFQA_CFG_PARAMS, new byte[] {(byte) (copyRange >>> 24), (byte) (copyRange >>> 16), (byte) (copyRange >>> 8),
                    (byte) copyRange, NFQNL_COPY_PACKET});
            w.be32(NFQA_CFG_QUEUE_MAXLEN, maxQueued);
            w.be32(NFQA_CFG_MASK, NFQA_CFG_F_FAIL_OPEN);
            w.be32(NFQA_CFG_FLAGS, NFQA_CFG_F_FAIL_OPEN);
            conn.execute("configure NFQUEUE " + queue + " (copy " + copyRange + " bytes, at most " + maxQueued + " held, fail open)",
                    (b, t, f, p, e) -> { });
            return s;
        } catch (NetlinkException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** Binds in the calling thread's network namespace. */
    public static NfqueueSocket bind(int queue, int copyRange, int maxQueued) throws NetlinkException {
        return bind(KernelTransport.open(KernelTransport.NETLINK_NETFILTER), queue, copyRange, maxQueued);
    }

    /** Binds with a socket living in {@code ns}. */
    public static NfqueueSocket bind(NetworkNamespace ns, int queue, int copyRange, int maxQueued) throws NetlinkException {
        return bind(ns.openNetlink(KernelTransport.NETLINK_NETFILTER), queue, copyRange, maxQueued);
    }

    private void command(int cmd, String what) throws NetlinkException {
        // struct nfqnl_msg_config_cmd { __u8 command; __u8 _pad; __be16 pf; } (pf unused since 3.8)
        MessageWriter w = conn.request(TYPE_CONFIG, 0, Netlink.AF_UNSPEC, queue);
        w.bytes(NFQA_CFG_CMD, new byte[] {(byte) cmd, 0, 0, 0});
        conn.execute(what, (b, t, f, p, e) -> { });
    }

    public int queue() {
        return queue;
    }

    /** Times the kernel reported our receive buffer overflowing (the packets then were accepted or lost). */
    public long lostCount() {
        return lost;
    }

    /** Verdicts the kernel refused (an unknown packet id: already decided, or the queue was flushed). */
    public long verdictErrorCount() {
        return verdictErrors;
    }

    /**
     * Receives one datagram and hands each queued packet to {@code handler}, which may decide it at
     * once ({@link #verdict}) or later. Returns the number of packets, 0 after a loss or a refused
     * verdict, -1 on timeout.
     */
    public int poll(Consumer<NfqueuePacket> handler, int timeoutMillis) throws NetlinkException {
        this.handler = handler;
        this.delivered = 0;
        try {
            int n = conn.receiveUnsolicited(timeoutMillis, (b, type, flags, p, e) -> {
                if (type == TYPE_PACKET) {
                    delivered++;
                    this.handler.accept(NfqueuePacket.decode(b, p, e));
                }
            });
            return n < 0 ? -1 : delivered;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOBUFS) {
                lost++;
                return 0;
            }
            if (e.errno() == Errno.ENOENT) {
                verdictErrors++;
                return 0;
            }
            throw e;
        }
    }

    /** Gives the kernel its verdict on packet {@code id} (no acknowledgement is awaited). */
    public void verdict(long id, Verdict verdict) throws NetlinkException {
        MessageWriter w = conn.request(TYPE_VERDICT, 0, Netlink.AF_UNSPEC, queue);
        // struct nfqnl_msg_verdict_hdr { __be32 verdict; __be32 id; }
        w.bytes(NFQA_VERDICT_HDR, new byte[] {0, 0, 0, (byte) verdict.code,
                (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        conn.submit("verdict " + verdict + " on queued packet " + id);
    }

    /** The socket, for a thread that waits on it together with others ({@link io.ftpnat.nativ.netlink.KernelTransport#awaitAny}). */
    public NetlinkTransport transport() {
        return conn.transport();
    }

    @Override
    public void close() {
        try {
            command(NFQNL_CFG_CMD_UNBIND, "unbind NFQUEUE " + queue);
        } catch (NetlinkException e) {
            // closing the socket releases the queue anyway
        } finally {
            conn.close();
        }
    }
}
