package io.ftpnat.nativ.netlink.conntrack;

/**
 * A connection's sequence adjustments in both directions (a plain value; {@link SequenceAdjustmentRequests}
 * reads and writes them), read with a targeted GET (the kernel
 * includes them only when IPS_SEQ_ADJUST is set) and written with an update (IPCTNL_MSG_CT_NEW
 * without NLM_F_CREATE; the kernel sets IPS_SEQ_ADJUST). Kept apart from {@link Conntrack} so that
 * dumps of large tables pay nothing for it.
 */
public record SequenceAdjustments(SequenceAdjustment original, SequenceAdjustment reply) {
    public static final SequenceAdjustments NONE = new SequenceAdjustments(SequenceAdjustment.NONE, SequenceAdjustment.NONE);

    public boolean isNone() {
        return original.isNone() && reply.isNone();
    }

    @Override
    public String toString() {
        return "orig[" + original + "] reply[" + reply + "]";
    }
}
