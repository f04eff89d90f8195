package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * The NAT an expected connection gets (CTA_EXPECT_NAT), applied by the expectfn
 * {@code nat-follow-master}: {@code direction} is the master's direction the expected connection
 * follows, and only the tuple's source address and source port (the saved address/port the
 * kernel's nf_nat_ftp would use) are meaningful; the destination is zero in dumps.
 */
public record ExpectationNat(Direction direction, Tuple tuple) {
    private static final int CTA_EXPECT_NAT_DIR = 1;
    private static final int CTA_EXPECT_NAT_TUPLE = 2;

    public ExpectationNat {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(tuple, "tuple");
    }

    /** NAT to {@code address:port} following the master in {@code direction}. */
    public static ExpectationNat to(Direction direction, int protocol, IpAddress address, int port) {
        IpAddress any = address.v6() ? IpAddress.V6_ANY : IpAddress.V4_ANY;
        return new ExpectationNat(direction, Tuple.of(protocol, address, port, any, 0));
    }

    /** The translated address (the saved address). */
    public IpAddress address() {
        return tuple.src();
    }

    /** The translated port (the saved port). */
    public int port() {
        return tuple.srcPort();
    }

    static void encode(MessageWriter w, int type, ExpectationNat nat) {
        int n = w.nest(type);
        w.be32(CTA_EXPECT_NAT_DIR, nat.direction.ordinal());
        Tuple.encode(w, CTA_EXPECT_NAT_TUPLE, nat.tuple);
        w.end(n);
    }

    static ExpectationNat decode(ByteBuffer b, int at, int len) throws NetlinkDecodeException {
        int end = at + len;
        Direction dir = Direction.ORIGINAL;
        Tuple tuple = null;
        for (int p = Attrs.payload(at); p < end; ) {
            int l = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case CTA_EXPECT_NAT_DIR -> dir = Direction.of(Attrs.be32(b, p, l));
                case CTA_EXPECT_NAT_TUPLE -> tuple = Tuple.decode(b, p, l);
                default -> { }
            }
            p = Attrs.next(p, l);
        }
        if (tuple == null) {
            throw new NetlinkDecodeException("expectation NAT without tuple");
        }
        return new ExpectationNat(dir, tuple);
    }
}
