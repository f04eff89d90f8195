package io.ftpnat.conntrack;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Counters;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.Tuple;

/** conntrack-tools' line format ({@code conntrack -L}), so operators and scripts can diff the two. */
public final class ConntrackLine {
    private static final int GRE = 47;

    private ConntrackLine() {
    }

    public static String protocolName(int protocol) {
        return switch (protocol) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
            case 47 -> "gre";
            case 33 -> "dccp";
            case 136 -> "udplite";
            default -> "unknown";
        };
    }

    public static String of(Conntrack c) {
        StringBuilder sb = new StringBuilder(200);
        String name = protocolName(c.protocol());
        sb.append(name).append(" ".repeat(Math.max(1, 9 - name.length()))).append(c.protocol()).append(' ');
        if (c.timeout() >= 0) {
            sb.append(c.timeout()).append(' ');
        }
        if (c.tcpState() != null) {
            sb.append(c.tcpState().name()).append(' ');
        }
        if (c.sctpState() != null) {
            sb.append(c.sctpState().name()).append(' ');
        }
        tuple(sb, c.original());
        counters(sb, c.originalCounters());
        if (!c.has(Status.SEEN_REPLY)) {
            sb.append("[UNREPLIED] ");
        }
        tuple(sb, c.reply());
        counters(sb, c.replyCounters());
        // libnetfilter_conntrack's order: the three are exclusive, hardware offload first
        if (c.has(Status.HW_OFFLOAD)) {
            sb.append("[HW_OFFLOAD] ");
        } else if (c.has(Status.OFFLOAD)) {
            sb.append("[OFFLOAD] ");
        } else if (c.has(Status.ASSURED)) {
            sb.append("[ASSURED] ");
        }
        sb.append("mark=").append(Integer.toUnsignedLong(c.mark())).append(' ');
        if (c.zone() != 0) {
            sb.append("zone=").append(c.zone()).append(' ');
        }
        if (c.helper() != null) {
            sb.append("helper=").append(c.helper()).append(' ');
        }
        sb.append("use=").append(c.use());
        return sb.toString();
    }

    /** As {@code conntrack -L expect} prints it: expected tuple, mask, master, flags, class, helper. */
    public static String of(Expectation e) {
        StringBuilder sb = new StringBuilder(200);
        sb.append(e.timeout()).append(" proto=").append(e.tuple().protocol()).append(' ');
        tuple(sb, e.tuple());
        if (e.mask() != null) {
            sb.append("mask-src=").append(e.mask().src()).append(" mask-dst=").append(e.mask().dst()).append(' ')
                    .append("sport=").append(e.mask().srcPort()).append(" dport=").append(e.mask().dstPort()).append(' ');
        }
        if (e.master() != null) {
            sb.append("master-src=").append(e.master().src()).append(" master-dst=").append(e.master().dst()).append(' ')
                    .append("sport=").append(e.master().srcPort()).append(" dport=").append(e.master().dstPort()).append(' ');
        }
        if ((e.flags() & Expectation.PERMANENT) != 0) {
            sb.append("PERMANENT ");
        }
        if ((e.flags() & Expectation.INACTIVE) != 0) {
            sb.append("INACTIVE ");
        }
        if ((e.flags() & Expectation.USERSPACE) != 0) {
            sb.append("USERSPACE ");
        }
        if (e.zone() != 0) {
            sb.append("zone=").append(e.zone()).append(' ');
        }
        sb.append("class=").append(e.expectClass()).append(' ');
        if (e.helper() != null) {
            sb.append("helper=").append(e.helper());
        }
        return sb.toString().stripTrailing();
    }

    private static void tuple(StringBuilder sb, Tuple t) {
        sb.append("src=").append(t.src()).append(" dst=").append(t.dst()).append(' ');
        if (t.protocol() == GRE) {
            // GRE's "ports" are its keys (the kernel sends them as CTA_PROTO_*_PORT)
            sb.append("srckey=0x").append(Integer.toHexString(t.srcPort())).append(" dstkey=0x")
                    .append(Integer.toHexString(t.dstPort())).append(' ');
        } else if (t.isIcmp()) {
            sb.append("type=").append(t.icmpType()).append(" code=").append(t.icmpCode()).append(" id=").append(t.icmpId()).append(' ');
        } else {
            sb.append("sport=").append(t.srcPort()).append(" dport=").append(t.dstPort()).append(' ');
        }
    }

    private static void counters(StringBuilder sb, Counters c) {
        if (c != null) {
            sb.append("packets=").append(c.packets()).append(" bytes=").append(c.bytes()).append(' ');
        }
    }
}
