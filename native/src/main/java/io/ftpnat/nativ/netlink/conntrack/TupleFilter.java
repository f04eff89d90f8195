package io.ftpnat.nativ.netlink.conntrack;

import io.ftpnat.nativ.netlink.MessageWriter;

/**
 * A filter on fields of a connection's original tuple that the kernel applies to a dump
 * (CTA_FILTER with CTA_FILTER_ORIG_FLAGS and a partial CTA_TUPLE_ORIG, Linux 5.8+): only matching
 * entries are formatted and sent. Each field is optional (null or -1). The kernel needs the
 * family (IPv4 or IPv6) of the dump to parse it, and a protocol to filter ports.
 *
 * @param protocol IPPROTO number, or -1
 * @param src      source address, or null
 * @param dst      destination address, or null
 * @param sport    source port (TCP, UDP, SCTP, DCCP, UDP-Lite), or -1
 * @param dport    destination port, or -1
 */
public record TupleFilter(int protocol, IpAddress src, IpAddress dst, int sport, int dport) {
    // enum ctattr_filter and CTA_FILTER_F_* (linux/netfilter/nfnetlink_conntrack.h)
    static final int CTA_FILTER = 25;
    static final int CTA_FILTER_ORIG_FLAGS = 1;
    static final int F_IP_SRC = 1 << 0;
    static final int F_IP_DST = 1 << 1;
    static final int F_PROTO_NUM = 1 << 3;
    static final int F_PROTO_SRC_PORT = 1 << 4;
    static final int F_PROTO_DST_PORT = 1 << 5;

    private boolean hasPorts() {
        return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 33 || protocol == 136;
    }

    /** The CTA_FILTER_F_* bits this filter sets for a dump of {@code family} (0: none applies). */
    int flags(int family) {
        if (family != 2 && family != 10) {
            return 0; // the kernel parses a filter tuple only for a given family
        }
        int f = 0;
        if (src != null && src.family() == family) {
            f |= F_IP_SRC;
        }
        if (dst != null && dst.family() == family) {
            f |= F_IP_DST;
        }
        if (protocol >= 0) {
            f |= F_PROTO_NUM;
            if (hasPorts() && sport >= 0) {
                f |= F_PROTO_SRC_PORT;
            }
            if (hasPorts() && dport >= 0) {
                f |= F_PROTO_DST_PORT;
            }
        }
        return f;
    }

    /** Writes CTA_TUPLE_ORIG (only the filtered fields) and CTA_FILTER; false when nothing applies. */
    boolean encode(MessageWriter w, int family) {
        int flags = flags(family);
        if (flags == 0) {
            return false;
        }
        int outer = w.nest(Cta.CTA_TUPLE_ORIG);
        if ((flags & (F_IP_SRC | F_IP_DST)) != 0) {
            int ip = w.nest(Cta.CTA_TUPLE_IP);
            if ((flags & F_IP_SRC) != 0) {
                address(w, true, src);
            }
            if ((flags & F_IP_DST) != 0) {
                address(w, false, dst);
            }
            w.end(ip);
        }
        if ((flags & F_PROTO_NUM) != 0) {
            int proto = w.nest(Cta.CTA_TUPLE_PROTO);
            w.u8(Cta.CTA_PROTO_NUM, protocol);
            if ((flags & F_PROTO_SRC_PORT) != 0) {
                w.be16(Cta.CTA_PROTO_SRC_PORT, sport);
            }
            if ((flags & F_PROTO_DST_PORT) != 0) {
                w.be16(Cta.CTA_PROTO_DST_PORT, dport);
            }
            w.end(proto);
        }
        w.end(outer);
        int filter = w.nest(CTA_FILTER);
        w.u32(CTA_FILTER_ORIG_FLAGS, flags); // NLA_U32: host byte order
        w.end(filter);
        return true;
    }

    private static void address(MessageWriter w, boolean source, IpAddress a) {
        if (a.family() == 10) {
            w.ipv6(source ? Cta.CTA_IP_V6_SRC : Cta.CTA_IP_V6_DST, a.hi(), a.lo());
        } else {
            w.ipv4(source ? Cta.CTA_IP_V4_SRC : Cta.CTA_IP_V4_DST, a.v4Int());
        }
    }

    /** The same test on our side (the result is exact whatever the kernel supports). */
    public boolean matches(Tuple t) {
        return (protocol < 0 || t.protocol() == protocol)
                && (src == null || src.equals(t.src()))
                && (dst == null || dst.equals(t.dst()))
                && (sport < 0 || t.srcPort() == sport)
                && (dport < 0 || t.dstPort() == dport);
    }
}
