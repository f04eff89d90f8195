package io.ftpnat.nativ.netlink.nftables;

import io.ftpnat.nativ.netlink.BatchReply;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Appends one rule to a chain of an {@code inet} table whose only statement sends the packet to an
 * nfnetlink_queue with bypass (a queue nobody listens on lets the packet pass): the nft
 * {@code queue} expression (nft_queue) where the kernel has it, else the xtables NFQUEUE target
 * (revision 3) through nft_compat. nft cannot write the second from text (it prints it as
 * {@code xt target "NFQUEUE"} but cannot parse that back), so both are written here as the one
 * NEWRULE message of an nf_tables batch: no text is parsed, the queue number is an int.
 *
 * <p>The rule lives in the caller's table: deleting or replacing the table removes it with
 * everything else (ftpnatd's flush and every apply).
 */
public final class QueueRule {
    /** How the kernel is asked to queue. */
    public enum Kind {
        /** {@code queue flags bypass to N}: nft_queue (CONFIG_NFT_QUEUE). */
        NFT_QUEUE,
        /** {@code xt target NFQUEUE --queue-num N --queue-bypass}: nft_compat + xt_NFQUEUE. */
        XT_NFQUEUE
    }

    static final int NFT_MSG_NEWRULE = 6;
    // enum nft_rule_attributes
    static final int NFTA_RULE_TABLE = 1;
    static final int NFTA_RULE_CHAIN = 2;
    static final int NFTA_RULE_EXPRESSIONS = 4;
    // enum nft_expr_attributes
    static final int NFTA_EXPR_NAME = 1;
    static final int NFTA_EXPR_DATA = 2;
    // enum nft_queue_attributes
    static final int NFTA_QUEUE_NUM = 1;
    static final int NFTA_QUEUE_TOTAL = 2;
    static final int NFTA_QUEUE_FLAGS = 3;
    static final int NFT_QUEUE_FLAG_BYPASS = 0x01;
    // enum nft_target_attributes
    static final int NFTA_TARGET_NAME = 1;
    static final int NFTA_TARGET_REV = 2;
    static final int NFTA_TARGET_INFO = 3;
    /** struct xt_NFQ_info_v3 flags: NFQ_FLAG_BYPASS. */
    static final int NFQ_FLAG_BYPASS = 0x01;
    static final int NLM_F_APPEND = 0x800;

    private QueueRule() {
    }

    /**
     * Appends the queueing rule to {@code inet table chain}, in one transaction.
     *
     * @throws NetlinkException ENOENT: no such table or chain, or (NFT_QUEUE) no nft_queue in the kernel;
     *         EOPNOTSUPP/ENOENT for the target when nft_compat or xt_NFQUEUE is missing
     */
    public static void append(NetlinkConnection conn, String table, String chain, int queue, Kind kind) throws NetlinkException {
        NfTables.checkName("table", table);
        NfTables.checkName("chain", chain);
        if (queue < 0 || queue > 65535) {
            throw new IllegalArgumentException("queue number out of range: " + queue);
        }
        conn.batch(NfTables.NFNL_MSG_BATCH_BEGIN, 0, Netlink.AF_UNSPEC, NfTables.NFNL_SUBSYS_NFTABLES);
        MessageWriter w = conn.batchNext(Netlink.nfType(NfTables.NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE),
                Netlink.NLM_F_CREATE | NLM_F_APPEND | Netlink.NLM_F_ACK, NfTables.NFPROTO_INET, 0);
        writeRule(w, table, chain, queue, kind);
        conn.batchNext(NfTables.NFNL_MSG_BATCH_END, 0, Netlink.AF_UNSPEC, NfTables.NFNL_SUBSYS_NFTABLES);
        String what = "add rule inet " + table + " " + chain + " " + describe(queue, kind);
        BatchReply reply = conn.executeBatch(what);
        int failed = reply.firstFailure();
        if (failed >= 0) {
            String ext = reply.extAck(failed);
            throw new NetlinkException(ext.isEmpty() ? what : what + " [" + ext + "]", reply.errno(failed));
        }
    }

    /** As nft would print the statement (never parsed). */
    public static String describe(int queue, Kind kind) {
        return kind == Kind.NFT_QUEUE ? "queue flags bypass to " + queue
                : "xt target NFQUEUE (--queue-num " + queue + " --queue-bypass, through nft_compat)";
    }

    /** The NEWRULE message's attributes (after its nfgenmsg), in libnftnl's order: table, chain, expressions. */
    static void writeRule(MessageWriter w, String table, String chain, int queue, Kind kind) {
        w.string(NFTA_RULE_TABLE, table);
        w.string(NFTA_RULE_CHAIN, chain);
        int exprs = w.nest(NFTA_RULE_EXPRESSIONS);
        int elem = w.nest(NfTables.NFTA_LIST_ELEM);
        if (kind == Kind.NFT_QUEUE) {
            w.string(NFTA_EXPR_NAME, "queue");
            int data = w.nest(NFTA_EXPR_DATA);
            w.be16(NFTA_QUEUE_NUM, queue);
            w.be16(NFTA_QUEUE_TOTAL, 1);
            w.be16(NFTA_QUEUE_FLAGS, NFT_QUEUE_FLAG_BYPASS);
            w.end(data);
        } else {
            w.string(NFTA_EXPR_NAME, "target");
            int data = w.nest(NFTA_EXPR_DATA);
            w.string(NFTA_TARGET_NAME, "NFQUEUE");
            w.be32(NFTA_TARGET_REV, 3);
            w.bytes(NFTA_TARGET_INFO, nfqInfoV3(queue));
            w.end(data);
        }
        w.end(elem);
        w.end(exprs);
    }

    /**
     * struct xt_NFQ_info_v3 { __u16 queuenum; __u16 queues_total; __u16 flags; } in host byte order
     * (xtables structures are), padded to XT_ALIGN (8 bytes), as iptables-nft sends it.
     */
    static byte[] nfqInfoV3(int queue) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        b.putShort((short) queue).putShort((short) 1).putShort((short) NFQ_FLAG_BYPASS).putShort((short) 0);
        return b.array();
    }
}
