package io.ftpnat.conntrack;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Counters;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.Tuple;

/** conntrack-tools' line format ({@code conntrack -L}), so operators and scripts can diff the two. */
public final class ConntrackLine {
    private ConntrackLine() {
    }

    public static String protocolName(int protocol) {
        return switch (protocol) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
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
        tuple(sb, c.original());
        counters(sb, c.originalCounters());
        if (!c.has(Status.SEEN_REPLY)) {
            sb.append("[UNREPLIED] ");
        }
        tuple(sb, c.reply());
        counters(sb, c.replyCounters());
        if (c.has(Status.OFFLOAD)) {
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

    public static String of(Expectation e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(e.timeout()).append(' ').append("proto=").append(e.tuple().protocol()).append(' ');
        tuple(sb, e.tuple());
        sb.append("master-");
        tuple(sb, e.master());
        if (e.helper() != null) {
            sb.append("helper=").append(e.helper());
        }
        return sb.toString().stripTrailing();
    }

    private static void tuple(StringBuilder sb, Tuple t) {
        sb.append("src=").append(t.src()).append(" dst=").append(t.dst()).append(' ');
        if (t.isIcmp()) {
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
