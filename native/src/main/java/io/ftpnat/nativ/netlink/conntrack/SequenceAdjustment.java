package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * One direction's TCP sequence adjustment of a connection (CTA_SEQ_ADJ_ORIG/REPLY): left behind
 * by a helper that changed a segment's length (nf_nat_ftp rewriting PORT or 227). Segments after
 * {@code correctionPos} are shifted by {@code offsetAfter}, earlier ones by {@code offsetBefore}.
 * The kernel puts it into dumps and GET answers (never into events, see docs/ha.md) and accepts
 * it on update; a router that takes over a rewritten control connection without it sends every
 * later byte of that connection at the wrong sequence number.
 */
public record SequenceAdjustment(long correctionPos, int offsetBefore, int offsetAfter) {
    public static final SequenceAdjustment NONE = new SequenceAdjustment(0, 0, 0);

    // enum ctattr_type: CTA_SEQ_ADJ_ORIG = 15, CTA_SEQ_ADJ_REPLY = 16; enum ctattr_seqadj
    static final int CTA_SEQ_ADJ_ORIG = 15;
    static final int CTA_SEQ_ADJ_REPLY = 16;
    private static final int CTA_SEQADJ_CORRECTION_POS = 1;
    private static final int CTA_SEQADJ_OFFSET_BEFORE = 2;
    private static final int CTA_SEQADJ_OFFSET_AFTER = 3;

    public boolean isNone() {
        return offsetBefore == 0 && offsetAfter == 0;
    }

    void encode(MessageWriter w, int type) {
        int n = w.nest(type);
        w.be32(CTA_SEQADJ_CORRECTION_POS, (int) correctionPos);
        w.be32(CTA_SEQADJ_OFFSET_BEFORE, offsetBefore);
        w.be32(CTA_SEQADJ_OFFSET_AFTER, offsetAfter);
        w.end(n);
    }

    static SequenceAdjustment decode(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        long pos = 0;
        int before = 0;
        int after = 0;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case CTA_SEQADJ_CORRECTION_POS -> pos = Attrs.be32(b, p, l) & 0xffffffffL;
                case CTA_SEQADJ_OFFSET_BEFORE -> before = Attrs.be32(b, p, l);
                case CTA_SEQADJ_OFFSET_AFTER -> after = Attrs.be32(b, p, l);
                default -> { }
            }
            p = Attrs.next(p, l);
        }
        return new SequenceAdjustment(pos, before, after);
    }

    @Override
    public String toString() {
        return "pos=" + correctionPos + " before=" + offsetBefore + " after=" + offsetAfter;
    }
}
