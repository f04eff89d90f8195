package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.Optional;

/**
 * One TCP segment of a control connection, decoded from an NFLOG copy (IPv4 or IPv6 header first).
 * {@code payload} holds what was copied; {@code length} is the payload's real length, which is
 * larger when the copy was cut at the snaplen ({@link #truncated()}).
 */
public record TcpSegment(IpAddress src, int srcPort, IpAddress dst, int dstPort, long seq, int flags,
                         byte[] payload, int length) {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;

    private static final int IPPROTO_TCP = 6;

    public boolean truncated() {
        return payload.length < length;
    }

    /**
     * Decodes a network-layer packet; empty when it is not TCP or too short to be one (an IPv6
     * packet with extension headers before TCP counts as not TCP: control connections carry none).
     */
    public static Optional<TcpSegment> decode(byte[] p) {
        if (p.length < 1) {
            return Optional.empty();
        }
        int version = (p[0] & 0xff) >>> 4;
        int ipHeader;
        int ipEnd;
        IpAddress src;
        IpAddress dst;
        if (version == 4) {
            if (p.length < 20) {
                return Optional.empty();
            }
            ipHeader = (p[0] & 0x0f) * 4;
            int total = u16(p, 2);
            if (ipHeader < 20 || (p[9] & 0xff) != IPPROTO_TCP || total < ipHeader || (u16(p, 6) & 0x1fff) != 0) {
                return Optional.empty(); // not TCP, or a non-first fragment
            }
            src = IpAddress.v4(i32(p, 12));
            dst = IpAddress.v4(i32(p, 16));
            ipEnd = total;
        } else if (version == 6) {
            if (p.length < 40 || (p[6] & 0xff) != IPPROTO_TCP) {
                return Optional.empty();
            }
            ipHeader = 40;
            src = IpAddress.v6(i64(p, 8), i64(p, 16));
            dst = IpAddress.v6(i64(p, 24), i64(p, 32));
            ipEnd = 40 + u16(p, 4);
        } else {
            return Optional.empty();
        }
        if (p.length < ipHeader + 20) {
            return Optional.empty();
        }
        int t = ipHeader;
        int dataOffset = ((p[t + 12] & 0xff) >>> 4) * 4;
        if (dataOffset < 20 || ipEnd < t + dataOffset) {
            return Optional.empty();
        }
        int start = t + dataOffset;
        int length = ipEnd - start;
        int copied = Math.max(0, Math.min(p.length, ipEnd) - start);
        byte[] payload = new byte[copied];
        if (copied > 0) {
            System.arraycopy(p, start, payload, 0, copied);
        }
        return Optional.of(new TcpSegment(src, u16(p, t), dst, u16(p, t + 2), i32(p, t + 4) & 0xffffffffL,
                p[t + 13] & 0x3f, payload, length));
    }

    /** The acknowledgement number of a TCP packet (network layer first), or -1 when it is not one {@link #decode} reads. */
    public static long ackOf(byte[] p) {
        if (decode(p).isEmpty()) {
            return -1;
        }
        int t = ((p[0] & 0xff) >>> 4) == 4 ? (p[0] & 0x0f) * 4 : 40;
        return i32(p, t + 8) & 0xffffffffL;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    private static int i32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }

    private static long i64(byte[] b, int at) {
        return (long) i32(b, at) << 32 | i32(b, at + 4) & 0xffffffffL;
    }

    @Override
    public String toString() {
        return src + ":" + srcPort + " > " + dst + ":" + dstPort + " seq " + seq + " len " + length
                + (truncated() ? " (copied " + payload.length + ")" : "");
    }
}
