package io.ftpnat.conntrack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import java.util.Locale;
import java.util.Set;

/**
 * The filters operators know from {@code conntrack -L}: family, protocol, -s/-d, --sport/--dport
 * (all on the original tuple, as conntrack-tools matches them), helper, mark, zone, TCP state, and
 * NAT-ed only. Family, zone, mark and the original tuple's fields (when the family is known, from
 * -f or an address) go to the kernel's dump; everything is matched here too.
 */
public record ConntrackQuery(int family, int protocol, IpAddress src, IpAddress dst, int sport, int dport, String helper,
                             Integer mark, Integer zone, TcpState state, boolean natOnly) {
    static final Set<String> ARGS = Set.of("family", "protocol", "src", "dst", "sport", "dport", "helper", "mark", "zone",
            "state", "nat");
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    public static ConntrackQuery all() {
        return new ConntrackQuery(0, -1, null, null, -1, -1, null, null, null, null, false);
    }

    /** Reads the filters from a request's args; a wrong name, type or value is a bad_request naming it. */
    public static ConntrackQuery from(ObjectNode args) throws QueryException {
        for (var it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!ARGS.contains(name) && !name.equals("format")) {
                throw bad("unknown filter '" + name + "'; known: " + String.join(", ", new java.util.TreeSet<>(ARGS)));
            }
        }
        int family = 0;
        String fam = text(args, "family");
        if (fam != null) {
            family = switch (fam) {
                case "ipv4", "inet" -> AF_INET;
                case "ipv6", "inet6" -> AF_INET6;
                default -> throw bad("family '" + fam + "' is not ipv4 or ipv6");
            };
        }
        int protocol = -1;
        String proto = text(args, "protocol");
        if (proto != null) {
            protocol = switch (proto.toLowerCase(Locale.ROOT)) {
                case "tcp" -> 6;
                case "udp" -> 17;
                case "icmp" -> 1;
                case "icmpv6", "ipv6-icmp" -> 58;
                case "sctp" -> 132;
                default -> throw bad("protocol '" + proto + "' is not tcp, udp, icmp, icmpv6 or sctp");
            };
        }
        IpAddress src = address(args, "src");
        IpAddress dst = address(args, "dst");
        TcpState state = null;
        String st = text(args, "state");
        if (st != null) {
            try {
                state = TcpState.valueOf(st.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("state '" + st + "' is not a TCP state (ESTABLISHED, SYN_SENT, TIME_WAIT, ...)");
            }
        }
        JsonNode nat = args.get("nat");
        if (nat != null && !nat.isBoolean()) {
            throw bad("filter 'nat' must be true or false");
        }
        return new ConntrackQuery(family, protocol, src, dst, port(args, "sport"), port(args, "dport"), text(args, "helper"),
                integer(args, "mark"), integer(args, "zone"), state, nat != null && nat.asBoolean());
    }

    /** What the kernel filters itself. */
    public ConntrackFilter kernelFilter() {
        // an address names the family, which lets the kernel filter the tuple (CTA_FILTER) too
        int fam = family != 0 ? family : src != null ? src.family() : dst != null ? dst.family() : 0;
        ConntrackFilter f = ConntrackFilter.all().family(fam);
        if (protocol >= 0 || src != null || dst != null) {
            f = f.original(new io.ftpnat.nativ.netlink.conntrack.TupleFilter(protocol, src, dst, protocol >= 0 ? sport : -1,
                    protocol >= 0 ? dport : -1));
        }
        if (zone != null) {
            f = f.zone(zone);
        }
        if (mark != null) {
            f = f.mark(mark);
        }
        return f;
    }

    public boolean matches(Conntrack c) {
        if (family != 0 && c.family() != family) {
            return false;
        }
        if (protocol >= 0 && c.protocol() != protocol) {
            return false;
        }
        if (src != null && !src.equals(c.original().src())) {
            return false;
        }
        if (dst != null && !dst.equals(c.original().dst())) {
            return false;
        }
        if (sport >= 0 && c.original().srcPort() != sport) {
            return false;
        }
        if (dport >= 0 && c.original().dstPort() != dport) {
            return false;
        }
        if (helper != null && !helper.equals(c.helper())) {
            return false;
        }
        if (mark != null && c.mark() != mark) {
            return false;
        }
        if (zone != null && c.zone() != zone) {
            return false;
        }
        if (state != null && c.tcpState() != state) {
            return false;
        }
        return !natOnly || c.has(Status.SRC_NAT) || c.has(Status.DST_NAT);
    }

    private static String text(ObjectNode args, String name) throws QueryException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw bad("filter '" + name + "' must be a string");
        }
        return n.asText();
    }

    private static Integer integer(ObjectNode args, String name) throws QueryException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 0xffffffffL) {
            throw bad("filter '" + name + "' must be a whole number 0-4294967295");
        }
        return (int) n.asLong();
    }

    private static int port(ObjectNode args, String name) throws QueryException {
        Integer p = integer(args, name);
        if (p == null) {
            return -1;
        }
        if (p > 65535) {
            throw bad("filter '" + name + "' must be a port 0-65535");
        }
        return p;
    }

    private static IpAddress address(ObjectNode args, String name) throws QueryException {
        String s = text(args, name);
        if (s == null) {
            return null;
        }
        try {
            return IpAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw bad("filter '" + name + "': '" + s + "' is not an IP address");
        }
    }

    private static QueryException bad(String message) {
        return new QueryException(message);
    }
}
