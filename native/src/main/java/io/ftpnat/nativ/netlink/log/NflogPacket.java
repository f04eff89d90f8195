package io.ftpnat.nativ.netlink.log;

import java.nio.ByteBuffer;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * One packet copied to userspace by an nft {@code log group N} rule (nfnetlink_log). The payload is
 * the network-layer packet (IPv4/IPv6 header first), at most the configured copy range.
 * Absent values: prefix null, interface indexes 0, uid/gid/seq -1, timestamp -1.
 *
 * @param family     AF_INET (2) or AF_INET6 (10): the hook's family (the nfgenmsg family)
 * @param hook       netfilter hook number (0 prerouting, 1 input, 2 forward, 3 output, 4 postrouting)
 * @param hwProtocol the link-layer protocol (ETH_P_IP 0x0800, ETH_P_IPV6 0x86dd)
 * @param timestampMicros microseconds since the epoch, when the kernel sent one
 */
public record NflogPacket(int group, int family, int hwProtocol, int hook, int mark, String prefix, int inIfindex,
                          int outIfindex, long uid, long gid, long seq, long timestampMicros, byte[] payload) {
    // enum nfulnl_attr_type (linux/netfilter/nfnetlink_log.h)
    private static final int NFULA_PACKET_HDR = 1;
    private static final int NFULA_MARK = 2;
    private static final int NFULA_TIMESTAMP = 3;
    private static final int NFULA_IFINDEX_INDEV = 4;
    private static final int NFULA_IFINDEX_OUTDEV = 5;
    private static final int NFULA_PAYLOAD = 9;
    private static final int NFULA_PREFIX = 10;
    private static final int NFULA_UID = 11;
    private static final int NFULA_SEQ = 12;
    private static final int NFULA_GID = 14;

    /** Decodes an NFULNL_MSG_PACKET message's payload (nfgenmsg + attributes). */
    public static NflogPacket decode(ByteBuffer b, int payload, int end) throws NetlinkDecodeException {
        if (end - payload < Netlink.NFGENMSG_LEN) {
            throw new NetlinkDecodeException("NFLOG message without nfgenmsg");
        }
        int family = b.get(payload) & 0xff;
        int group = Short.reverseBytes(b.getShort(payload + 2)) & 0xffff;
        int hwProtocol = 0;
        int hook = -1;
        int mark = 0;
        String prefix = null;
        int in = 0;
        int out = 0;
        long uid = -1;
        long gid = -1;
        long seq = -1;
        long ts = -1;
        byte[] data = null;
        for (int p = payload + Netlink.NFGENMSG_LEN; p < end; ) {
            int len = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case NFULA_PACKET_HDR -> {
                    hwProtocol = Attrs.be16(b, p, len);
                    if (len - Attrs.HDRLEN < 3) {
                        throw new NetlinkDecodeException("NFLOG packet header of " + (len - Attrs.HDRLEN) + " bytes");
                    }
                    hook = b.get(p + Attrs.HDRLEN + 2) & 0xff;
                }
                case NFULA_MARK -> mark = Attrs.be32(b, p, len);
                case NFULA_TIMESTAMP -> {
                    if (len - Attrs.HDRLEN < 16) {
                        throw new NetlinkDecodeException("NFLOG timestamp of " + (len - Attrs.HDRLEN) + " bytes");
                    }
                    long sec = Long.reverseBytes(b.getLong(p + Attrs.HDRLEN));
                    long usec = Long.reverseBytes(b.getLong(p + Attrs.HDRLEN + 8));
                    ts = sec * 1_000_000L + usec;
                }
                case NFULA_IFINDEX_INDEV -> in = Attrs.be32(b, p, len);
                case NFULA_IFINDEX_OUTDEV -> out = Attrs.be32(b, p, len);
                case NFULA_PAYLOAD -> data = Attrs.bytes(b, p, len);
                case NFULA_PREFIX -> prefix = Attrs.string(b, p, len);
                case NFULA_UID -> uid = Attrs.be32(b, p, len) & 0xffffffffL;
                case NFULA_GID -> gid = Attrs.be32(b, p, len) & 0xffffffffL;
                case NFULA_SEQ -> seq = Attrs.be32(b, p, len) & 0xffffffffL;
                default -> { }
            }
            p = Attrs.next(p, len);
        }
        return new NflogPacket(group, family, hwProtocol, hook, mark, prefix, in, out, uid, gid, seq, ts,
                data == null ? new byte[0] : data);
    }

    @Override
    public String toString() {
        return "nflog group " + group + " family " + family + " hook " + hook + " prefix " + prefix + " " + payload.length + " bytes";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NflogPacket p && group == p.group && family == p.family && hwProtocol == p.hwProtocol
                && hook == p.hook && mark == p.mark && java.util.Objects.equals(prefix, p.prefix) && inIfindex == p.inIfindex
                && outIfindex == p.outIfindex && uid == p.uid && gid == p.gid && seq == p.seq
                && timestampMicros == p.timestampMicros && java.util.Arrays.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(group, family, hook, prefix, seq) * 31 + java.util.Arrays.hashCode(payload);
    }
}
