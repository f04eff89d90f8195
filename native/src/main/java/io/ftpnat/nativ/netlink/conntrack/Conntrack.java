package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;
import java.util.Set;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * One conntrack entry as the kernel reports it. The original and reply tuples together show NAT:
 * with SNAT the reply's destination is the translated source. Absent values: {@code tcpState},
 * {@code helper}, {@code master}, counters are null; {@code timeout} is -1 for an entry without
 * one; {@code id} is the kernel's 32-bit id as an unsigned value.
 *
 * @param status  IPS_* bits, see {@link Status}
 * @param master  for a data connection created from an expectation: the original tuple of its
 *                control connection
 */
public record Conntrack(int family, Tuple original, Tuple reply, int status, TcpState tcpState, int timeout,
                        int mark, int zone, String helper, Tuple master, Counters originalCounters,
                        Counters replyCounters, long id, int use, SctpState sctpState) {

    /** An entry without SCTP state (every protocol but SCTP). */
    public Conntrack(int family, Tuple original, Tuple reply, int status, TcpState tcpState, int timeout, int mark, int zone,
                     String helper, Tuple master, Counters originalCounters, Counters replyCounters, long id, int use) {
        this(family, original, reply, status, tcpState, timeout, mark, zone, helper, master, originalCounters, replyCounters,
                id, use, null);
    }

    public Set<Status> statusFlags() {
        return Status.of(status);
    }

    public boolean has(Status flag) {
        return flag.in(status);
    }

    public int protocol() {
        return original.protocol();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(original).append(" reply ").append(reply);
        if (tcpState != null) {
            sb.append(' ').append(tcpState);
        }
        sb.append(" status=").append(Status.of(status)).append(" timeout=").append(timeout)
                .append(" mark=").append(mark).append(" zone=").append(zone);
        if (helper != null) {
            sb.append(" helper=").append(helper);
        }
        if (master != null) {
            sb.append(" master=[").append(master).append(']');
        }
        return sb.append(" id=").append(id).toString();
    }

    // ---- codec ----

    private static final String FTP = "ftp";

    /** Writes this entry's attributes as the kernel sends them in a dump or an event (for fakes and tests). */
    void encode(MessageWriter w) {
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, original);
        Tuple.encode(w, Cta.CTA_TUPLE_REPLY, reply);
        w.be32(Cta.CTA_STATUS, status);
        if (timeout >= 0) {
            w.be32(Cta.CTA_TIMEOUT, timeout);
        }
        w.be32(Cta.CTA_MARK, mark);
        if (tcpState != null) {
            int pi = w.nest(Cta.CTA_PROTOINFO);
            int tcp = w.nest(Cta.CTA_PROTOINFO_TCP);
            w.u8(Cta.CTA_PROTOINFO_TCP_STATE, tcpState.ordinal());
            w.end(tcp);
            w.end(pi);
        }
        if (helper != null) {
            int h = w.nest(Cta.CTA_HELP);
            w.string(Cta.CTA_HELP_NAME, helper);
            w.end(h);
        }
        if (zone != 0) {
            w.be16(Cta.CTA_ZONE, zone);
        }
        if (master != null) {
            Tuple.encode(w, Cta.CTA_TUPLE_MASTER, master);
        }
        counters(w, Cta.CTA_COUNTERS_ORIG, originalCounters);
        counters(w, Cta.CTA_COUNTERS_REPLY, replyCounters);
        if (id >= 0) {
            w.be32(Cta.CTA_ID, (int) id);
        }
        w.be32(Cta.CTA_USE, use);
    }

    private static void counters(MessageWriter w, int type, Counters c) {
        if (c != null) {
            int n = w.nest(type);
            w.be64(Cta.CTA_COUNTERS_PACKETS, c.packets());
            w.be64(Cta.CTA_COUNTERS_BYTES, c.bytes());
            w.end(n);
        }
    }

    public Conntrack withMark(int m) {
        return new Conntrack(family, original, reply, status, tcpState, timeout, m, zone, helper, master, originalCounters,
                replyCounters, id, use, sctpState);
    }

    /** A confirmed TCP entry without NAT (for tests and fakes): reply = original reversed. */
    public static Conntrack of(Tuple original, TcpState state, int mark, int zone, String helper) {
        return new Conntrack(original.family(), original, original.reversed(), Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask(),
                original.protocol() == Tuple.TCP ? state : null, 300, mark, zone, helper, null, null, null, -1, 1);
    }

    /** Decodes an IPCTNL_MSG_CT_NEW/DELETE message's payload (nfgenmsg + attributes). */
    static Conntrack decode(ByteBuffer b, int payload, int end) throws NetlinkDecodeException {
        if (end - payload < Netlink.NFGENMSG_LEN) {
            throw new NetlinkDecodeException("conntrack message without nfgenmsg");
        }
        int family = b.get(payload) & 0xff;
        Tuple orig = null;
        Tuple reply = null;
        Tuple master = null;
        int status = 0;
        TcpState tcpState = null;
        SctpState sctpState = null;
        int timeout = -1;
        int mark = 0;
        int zone = 0;
        String helper = null;
        Counters co = null;
        Counters cr = null;
        long id = -1;
        int use = 0;
        for (int p = payload + Netlink.NFGENMSG_LEN; p < end; ) {
            int len = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case Cta.CTA_TUPLE_ORIG -> orig = Tuple.decode(b, p, len, reply);
                case Cta.CTA_TUPLE_REPLY -> reply = Tuple.decode(b, p, len, orig);
                case Cta.CTA_TUPLE_MASTER -> master = Tuple.decode(b, p, len);
                case Cta.CTA_STATUS -> status = Attrs.be32(b, p, len);
                case Cta.CTA_TIMEOUT -> timeout = Attrs.be32(b, p, len);
                case Cta.CTA_MARK -> mark = Attrs.be32(b, p, len);
                case Cta.CTA_ZONE -> zone = Attrs.be16(b, p, len);
                case Cta.CTA_ID -> id = Attrs.be32(b, p, len) & 0xffffffffL;
                case Cta.CTA_USE -> use = Attrs.be32(b, p, len);
                case Cta.CTA_PROTOINFO -> {
                    tcpState = tcpState(b, p, len);
                    sctpState = sctpState(b, p, len);
                }
                case Cta.CTA_HELP -> helper = helperName(b, p, len);
                case Cta.CTA_COUNTERS_ORIG -> co = counters(b, p, len);
                case Cta.CTA_COUNTERS_REPLY -> cr = counters(b, p, len);
                default -> { } // unknown or uninteresting: skipped
            }
            p = Attrs.next(p, len);
        }
        if (orig == null) {
            throw new NetlinkDecodeException("conntrack without original tuple");
        }
        if (reply == null) {
            reply = orig.reversed(); // destroy events of some kernels carry only the original tuple
        }
        return new Conntrack(family, orig, reply, status, tcpState, timeout, mark, zone, helper, master, co, cr, id, use,
                sctpState);
    }

    private static SctpState sctpState(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            if (Attrs.type(b, p) == Cta.CTA_PROTOINFO_SCTP) {
                int e = p + l;
                for (int q = Attrs.payload(p); q < e; ) {
                    int ql = Attrs.length(b, q, e);
                    if (Attrs.type(b, q) == Cta.CTA_PROTOINFO_SCTP_STATE) {
                        return SctpState.of(Attrs.u8(b, q, ql));
                    }
                    q = Attrs.next(q, ql);
                }
            }
            p = Attrs.next(p, l);
        }
        return null;
    }

    private static TcpState tcpState(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            if (Attrs.type(b, p) == Cta.CTA_PROTOINFO_TCP) {
                int e = p + l;
                for (int q = Attrs.payload(p); q < e; ) {
                    int ql = Attrs.length(b, q, e);
                    if (Attrs.type(b, q) == Cta.CTA_PROTOINFO_TCP_STATE) {
                        return TcpState.of(Attrs.u8(b, q, ql));
                    }
                    q = Attrs.next(q, ql);
                }
            }
            p = Attrs.next(p, l);
        }
        return null;
    }

    static String helperName(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            if (Attrs.type(b, p) == Cta.CTA_HELP_NAME) {
                return name(b, p, l);
            }
            p = Attrs.next(p, l);
        }
        return null;
    }

    /** A string attribute; the common "ftp" is returned without allocating. */
    static String name(ByteBuffer b, int p, int len) {
        return Attrs.stringEquals(b, p, len, FTP) ? FTP : Attrs.string(b, p, len);
    }

    private static Counters counters(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        long packets = 0;
        long bytes = 0;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case Cta.CTA_COUNTERS_PACKETS -> packets = Attrs.be64(b, p, l);
                case Cta.CTA_COUNTERS_BYTES -> bytes = Attrs.be64(b, p, l);
                case Cta.CTA_COUNTERS32_PACKETS -> packets = Attrs.be32(b, p, l) & 0xffffffffL;
                case Cta.CTA_COUNTERS32_BYTES -> bytes = Attrs.be32(b, p, l) & 0xffffffffL;
                default -> { }
            }
            p = Attrs.next(p, l);
        }
        return new Counters(packets, bytes);
    }
}
