package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * One direction of a connection: addresses, layer-4 protocol and ports (TCP/UDP/SCTP/...), or
 * type/code/id for ICMP and ICMPv6. Also used as a mask (expectations) and as an expectation's NAT
 * tuple, where only some fields are meaningful.
 */
public record Tuple(IpAddress src, IpAddress dst, int protocol, int srcPort, int dstPort,
                    int icmpType, int icmpCode, int icmpId) {
    public static final int TCP = Cta.IPPROTO_TCP;
    public static final int UDP = Cta.IPPROTO_UDP;
    public static final int ICMP = Cta.IPPROTO_ICMP;
    public static final int ICMPV6 = Cta.IPPROTO_ICMPV6;

    public Tuple {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.v6() != dst.v6()) {
            throw new IllegalArgumentException("tuple mixes IPv4 and IPv6: " + src + " -> " + dst);
        }
    }

    /** A tuple with ports (TCP, UDP, SCTP, DCCP, UDPLite). */
    public static Tuple of(int protocol, IpAddress src, int srcPort, IpAddress dst, int dstPort) {
        return new Tuple(src, dst, protocol, srcPort, dstPort, 0, 0, 0);
    }

    public static Tuple tcp(String src, int srcPort, String dst, int dstPort) {
        return of(TCP, IpAddress.parse(src), srcPort, IpAddress.parse(dst), dstPort);
    }

    public static Tuple udp(String src, int srcPort, String dst, int dstPort) {
        return of(UDP, IpAddress.parse(src), srcPort, IpAddress.parse(dst), dstPort);
    }

    public static Tuple icmp(IpAddress src, IpAddress dst, int type, int code, int id) {
        return new Tuple(src, dst, src.v6() ? ICMPV6 : ICMP, 0, 0, type, code, id);
    }

    public int family() {
        return src.family();
    }

    public boolean isIcmp() {
        return protocol == ICMP || protocol == ICMPV6;
    }

    /** The same connection seen from the other end (src/dst and ports swapped). */
    public Tuple reversed() {
        return new Tuple(dst, src, protocol, dstPort, srcPort, icmpType, icmpCode, icmpId);
    }

    @Override
    public String toString() {
        String p = switch (protocol) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmpv6";
            default -> "proto " + protocol;
        };
        if (isIcmp()) {
            return p + " " + src + " -> " + dst + " type=" + icmpType + " code=" + icmpCode + " id=" + icmpId;
        }
        return p + " " + src + ":" + srcPort + " -> " + dst + ":" + dstPort;
    }

    // ---- codec (nested CTA_TUPLE_IP + CTA_TUPLE_PROTO) ----

    static void encode(MessageWriter w, int type, Tuple t) {
        int outer = w.nest(type);
        int ip = w.nest(Cta.CTA_TUPLE_IP);
        if (t.src.v6()) {
            w.ipv6(Cta.CTA_IP_V6_SRC, t.src.hi(), t.src.lo());
            w.ipv6(Cta.CTA_IP_V6_DST, t.dst.hi(), t.dst.lo());
        } else {
            w.ipv4(Cta.CTA_IP_V4_SRC, t.src.v4Int());
            w.ipv4(Cta.CTA_IP_V4_DST, t.dst.v4Int());
        }
        w.end(ip);
        int proto = w.nest(Cta.CTA_TUPLE_PROTO);
        w.u8(Cta.CTA_PROTO_NUM, t.protocol);
        if (t.protocol == ICMP) {
            w.be16(Cta.CTA_PROTO_ICMP_ID, t.icmpId);
            w.u8(Cta.CTA_PROTO_ICMP_TYPE, t.icmpType);
            w.u8(Cta.CTA_PROTO_ICMP_CODE, t.icmpCode);
        } else if (t.protocol == ICMPV6) {
            w.be16(Cta.CTA_PROTO_ICMPV6_ID, t.icmpId);
            w.u8(Cta.CTA_PROTO_ICMPV6_TYPE, t.icmpType);
            w.u8(Cta.CTA_PROTO_ICMPV6_CODE, t.icmpCode);
        } else {
            w.be16(Cta.CTA_PROTO_SRC_PORT, t.srcPort);
            w.be16(Cta.CTA_PROTO_DST_PORT, t.dstPort);
        }
        w.end(proto);
        w.end(outer);
    }

    /** Decodes a nested tuple attribute whose header is at {@code at} with total length {@code len}. */
    static Tuple decode(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        return decode(b, at, len, null);
    }

    /**
     * Decodes a tuple; addresses equal to {@code opposite}'s swapped ones (the usual reply tuple of
     * an entry without NAT) reuse its {@link IpAddress} instances instead of allocating.
     */
    static Tuple decode(ByteBuffer b, int at, int len, Tuple opposite) throws NetlinkDecodeException {
        IpAddress srcHint = opposite == null ? null : opposite.dst;
        IpAddress dstHint = opposite == null ? null : opposite.src;
        int end = at + len;
        IpAddress src = null;
        IpAddress dst = null;
        int protocol = -1;
        int sport = 0;
        int dport = 0;
        int type = 0;
        int code = 0;
        int id = 0;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            int t = Attrs.type(b, p);
            if (t == Cta.CTA_TUPLE_IP) {
                int e = p + l;
                for (int q = Attrs.payload(p); q < e; ) {
                    int ql = Attrs.length(b, q, e);
                    switch (Attrs.type(b, q)) {
                        case Cta.CTA_IP_V4_SRC -> src = v4(b, q, ql, srcHint);
                        case Cta.CTA_IP_V4_DST -> dst = v4(b, q, ql, dstHint);
                        case Cta.CTA_IP_V6_SRC -> src = v6(b, q, ql, srcHint);
                        case Cta.CTA_IP_V6_DST -> dst = v6(b, q, ql, dstHint);
                        default -> { }
                    }
                    q = Attrs.next(q, ql);
                }
            } else if (t == Cta.CTA_TUPLE_PROTO) {
                int e = p + l;
                for (int q = Attrs.payload(p); q < e; ) {
                    int ql = Attrs.length(b, q, e);
                    switch (Attrs.type(b, q)) {
                        case Cta.CTA_PROTO_NUM -> protocol = Attrs.u8(b, q, ql);
                        case Cta.CTA_PROTO_SRC_PORT -> sport = Attrs.be16(b, q, ql);
                        case Cta.CTA_PROTO_DST_PORT -> dport = Attrs.be16(b, q, ql);
                        case Cta.CTA_PROTO_ICMP_ID, Cta.CTA_PROTO_ICMPV6_ID -> id = Attrs.be16(b, q, ql);
                        case Cta.CTA_PROTO_ICMP_TYPE, Cta.CTA_PROTO_ICMPV6_TYPE -> type = Attrs.u8(b, q, ql);
                        case Cta.CTA_PROTO_ICMP_CODE, Cta.CTA_PROTO_ICMPV6_CODE -> code = Attrs.u8(b, q, ql);
                        default -> { }
                    }
                    q = Attrs.next(q, ql);
                }
            }
            p = Attrs.next(p, l);
        }
        if (src == null || dst == null) {
            throw new NetlinkDecodeException("tuple without source and destination address");
        }
        if (src.v6() != dst.v6()) {
            throw new NetlinkDecodeException("tuple mixes IPv4 and IPv6 addresses");
        }
        if (protocol < 0) {
            throw new NetlinkDecodeException("tuple without layer-4 protocol");
        }
        return new Tuple(src, dst, protocol, sport, dport, type, code, id);
    }

    private static IpAddress v4(ByteBuffer b, int p, int len, IpAddress hint) throws NetlinkDecodeException {
        if (len - Attrs.HDRLEN != 4) {
            throw new NetlinkDecodeException("IPv4 address attribute of " + (len - Attrs.HDRLEN) + " bytes");
        }
        long v = Integer.reverseBytes(b.getInt(p + Attrs.HDRLEN)) & 0xffffffffL;
        return hint != null && !hint.v6() && hint.lo() == v ? hint : new IpAddress(false, 0, v);
    }

    private static IpAddress v6(ByteBuffer b, int p, int len, IpAddress hint) throws NetlinkDecodeException {
        if (len - Attrs.HDRLEN != 16) {
            throw new NetlinkDecodeException("IPv6 address attribute of " + (len - Attrs.HDRLEN) + " bytes");
        }
        long hi = Long.reverseBytes(b.getLong(p + Attrs.HDRLEN));
        long lo = Long.reverseBytes(b.getLong(p + Attrs.HDRLEN + 8));
        return hint != null && hint.v6() && hint.hi() == hi && hint.lo() == lo ? hint : IpAddress.v6(hi, lo);
    }
}
