package io.ftpnat.nativ.netlink.nftables;

import io.ftpnat.nativ.netlink.BatchReply;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * Writes run-time elements of nf_tables sets and maps over netlink, without libnftables: each
 * {@link ElementBatch} is one nfnetlink batch (BATCH_BEGIN, one NEWSETELEM/DELSETELEM/
 * DESTROYSETELEM message per operation, BATCH_END) in one datagram, so one transaction. The
 * messages are byte for byte what nft 1.0.6 sends (golden tests), except that each operation asks
 * for an ACK (NLM_F_ACK): the kernel answers every operation after the transaction ends, which
 * gives a bounded wait and the errno of each operation. Needs CAP_NET_ADMIN in the table's
 * namespace.
 *
 * <p>Not thread-safe: one thread uses an instance at a time (they are cheap: one socket and a
 * 64 KiB receive buffer). The socket is reused for every batch. Each reply datagram is waited for
 * at most {@link NetlinkConnection#timeoutMillis()} (5 s by default).
 */
public final class NftElements implements AutoCloseable {
    private final NetlinkConnection conn;

    public NftElements(NetlinkTransport transport) {
        this.conn = new NetlinkConnection(transport);
    }

    /** A writer in the calling thread's network namespace. */
    public static NftElements open() throws NetlinkException {
        return new NftElements(KernelTransport.open(KernelTransport.NETLINK_NETFILTER));
    }

    /** A writer whose socket lives in {@code ns} (usable from any thread afterwards). */
    public static NftElements open(NetworkNamespace ns) throws NetlinkException {
        return new NftElements(ns.openNetlink(KernelTransport.NETLINK_NETFILTER));
    }

    /** This socket's netlink port id: the nlmsg_pid of the notifications its transactions cause. */
    public int portId() {
        return conn.transport().portId();
    }

    public NetlinkConnection connection() {
        return conn;
    }

    /**
     * Applies every operation of {@code batch} in one transaction, or none. An empty batch sends
     * nothing.
     *
     * @throws NetlinkException when the kernel refused an operation (then nothing of the batch was
     *         applied); it names the operation and the errno: ENOENT for a missing table, set or
     *         (on delete) element, EEXIST for an existing element (create, or add with other data),
     *         EINVAL for a key or data of the wrong length, ENFILE when the set is full. With
     *         {@code errno() == 0} (no answer in time, a malformed reply) the outcome is unknown:
     *         the kernel may have committed the batch; late answers are skipped by the next call.
     */
    public void apply(ElementBatch batch) throws NetlinkException {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        conn.batch(NfTables.NFNL_MSG_BATCH_BEGIN, 0, Netlink.AF_UNSPEC, NfTables.NFNL_SUBSYS_NFTABLES);
        for (int i = 0; i < n; i++) {
            ElementBatch.Operation o = batch.operations().get(i);
            MessageWriter w = conn.batchNext(Netlink.nfType(NfTables.NFNL_SUBSYS_NFTABLES, o.op().message()),
                    o.op().flags() | Netlink.NLM_F_ACK, NfTables.NFPROTO_INET, 0);
            o.element().writeMessage(w, batch.table(), o.op());
        }
        conn.batchNext(NfTables.NFNL_MSG_BATCH_END, 0, Netlink.AF_UNSPEC, NfTables.NFNL_SUBSYS_NFTABLES);
        BatchReply reply = conn.executeBatch(n == 1 ? batch.describe(0) : batch.toString());
        int failed = reply.firstFailure();
        if (failed < 0) {
            return;
        }
        String what;
        if (failed == 0) {
            what = batch + ": refused as a whole";
        } else if (failed <= n) {
            what = batch.describe(failed - 1) + (n == 1 ? "" : " (operation " + failed + " of " + n + "; none applied)");
        } else {
            what = batch + ": batch end refused";
        }
        String ext = reply.extAck(failed);
        throw new NetlinkException(ext.isEmpty() ? what : what + " [" + ext + "]", reply.errno(failed));
    }

    @Override
    public void close() {
        conn.close();
    }
}
