package io.ftpnat.nativ.netlink.queue;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import java.nio.ByteBuffer;

/**
 * One packet the kernel holds in an nfnetlink_queue until userspace gives its verdict. The payload
 * is the network-layer packet (IPv4/IPv6 header first), at most the configured copy range;
 * {@code length} is the packet's full length (NFQA_CAP_LEN when the copy was cut, else the payload's).
 *
 * @param id     the kernel's packet id, to be named in the verdict
 * @param family the hook's family (AF_INET 2, AF_INET6 10; the nfgenmsg family)
 * @param hook   netfilter hook number (0 prerouting, 1 input, 2 forward, 3 output, 4 postrouting)
 */
public record NfqueuePacket(int queue, long id, int family, int hwProtocol, int hook, int mark, int length, byte[] payload) {
    // enum nfqnl_attr_type (linux/netfilter/nfnetlink_queue.h)
    private static final int NFQA_PACKET_HDR = 1;
    private static final int NFQA_MARK = 3;
    private static final int NFQA_PAYLOAD = 10;
    private static final int NFQA_CAP_LEN = 13;

    /** Decodes an NFQNL_MSG_PACKET message's payload (nfgenmsg + attributes). */
    static NfqueuePacket decode(ByteBuffer b, int payload, int end) throws NetlinkDecodeException {
        if (end - payload < Netlink.NFGENMSG_LEN) {
            throw new NetlinkDecodeException("NFQUEUE message without nfgenmsg");
        }
        int family = b.get(payload) & 0xff;
        int queue = Short.reverseBytes(b.getShort(payload + 2)) & 0xffff;
        long id = -1;
        int hw = 0;
        int hook = -1;
        int mark = 0;
        int capLen = -1;
        byte[] data = new byte[0];
        for (int p = payload + Netlink.NFGENMSG_LEN; p < end; ) {
            int len = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case NFQA_PACKET_HDR -> {
                    // struct nfqnl_msg_packet_hdr { __be32 packet_id; __be16 hw_protocol; __u8 hook; } __packed
                    if (len - Attrs.HDRLEN < 7) {
                        throw new NetlinkDecodeException("NFQUEUE packet header of " + (len - Attrs.HDRLEN) + " bytes");
                    }
                    // the receive buffer is in host order (little-endian here); these fields are big-endian
                    id = Integer.toUnsignedLong(Integer.reverseBytes(b.getInt(p + Attrs.HDRLEN)));
                    hw = Short.toUnsignedInt(Short.reverseBytes(b.getShort(p + Attrs.HDRLEN + 4)));
                    hook = b.get(p + Attrs.HDRLEN + 6) & 0xff;
                }
                case NFQA_MARK -> mark = Attrs.be32(b, p, len);
                case NFQA_CAP_LEN -> capLen = Attrs.be32(b, p, len);
                case NFQA_PAYLOAD -> {
                    data = new byte[len - Attrs.HDRLEN];
                    b.get(p + Attrs.HDRLEN, data);
                }
                default -> { }
            }
            p = Attrs.next(p, len);
        }
        if (id < 0) {
            throw new NetlinkDecodeException("NFQUEUE packet without its header (no packet id)");
        }
        return new NfqueuePacket(queue, id, family, hw, hook, mark, capLen >= 0 ? capLen : data.length, data);
    }
}
