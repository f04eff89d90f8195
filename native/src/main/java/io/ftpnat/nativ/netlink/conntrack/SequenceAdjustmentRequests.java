package io.ftpnat.nativ.netlink.conntrack;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import java.util.Optional;

/** The ctnetlink requests that read and write a connection's {@link SequenceAdjustments} (kept off the value). */
public final class SequenceAdjustmentRequests {
    private SequenceAdjustmentRequests() {
    }

    /** The adjustments of the connection whose original tuple is {@code tuple}; empty if there is no such connection. */
    public static Optional<SequenceAdjustments> read(ConntrackClient client, Tuple tuple) throws NetlinkException {
        NetlinkConnection conn = client.connection();
        MessageWriter w = conn.request(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, Cta.IPCTNL_MSG_CT_GET), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, tuple);
        SequenceAdjustment[] found = {null, null};
        boolean[] any = {false};
        try {
            conn.execute("get sequence adjustments of " + tuple, (b, type, flags, payload, end) -> {
                any[0] = true;
                for (int p = payload + Netlink.NFGENMSG_LEN; p < end; ) {
                    int len = Attrs.length(b, p, end);
                    switch (Attrs.type(b, p)) {
                        case SequenceAdjustment.CTA_SEQ_ADJ_ORIG -> found[0] = SequenceAdjustment.decode(b, p, len);
                        case SequenceAdjustment.CTA_SEQ_ADJ_REPLY -> found[1] = SequenceAdjustment.decode(b, p, len);
                        default -> { }
                    }
                    p = Attrs.next(p, len);
                }
            });
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        if (!any[0]) {
            return Optional.empty();
        }
        return Optional.of(new SequenceAdjustments(found[0] == null ? SequenceAdjustment.NONE : found[0],
                found[1] == null ? SequenceAdjustment.NONE : found[1]));
    }

    /** Writes both directions' adjustments onto the existing connection {@code tuple} (ENOENT if there is none). */
    public static void write(ConntrackClient client, Tuple tuple, SequenceAdjustments adj) throws NetlinkException {
        NetlinkConnection conn = client.connection();
        MessageWriter w = conn.request(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, Cta.IPCTNL_MSG_CT_NEW), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, tuple);
        adj.original().encode(w, SequenceAdjustment.CTA_SEQ_ADJ_ORIG);
        adj.reply().encode(w, SequenceAdjustment.CTA_SEQ_ADJ_REPLY);
        conn.execute("set sequence adjustments " + adj + " on " + tuple, (b, type, flags, payload, end) -> { });
    }
}
