package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;

/**
 * An expectation: the kernel will treat the next connection matching {@code tuple} under
 * {@code mask} as RELATED to the {@code master} connection (and apply {@code nat} through
 * {@code function}). For creation, see {@link #create}: the master must be an existing connection
 * that has a helper attached (else the kernel answers EOPNOTSUPP).
 *
 * <p>Absent values: timeout -1, id -1, helper/nat/function null, zone 0, flags 0, class 0.
 *
 * @param master     original tuple of the master (control) connection
 * @param tuple      the expected connection's original tuple (source port usually 0 = any)
 * @param mask       which bits of {@code tuple} must match; the kernel uses only its source part
 * @param timeout    seconds left (dumps); ignored by the kernel on create (the helper's policy rules)
 * @param flags      {@link #PERMANENT}, {@link #INACTIVE}, {@link #USERSPACE}
 * @param expectClass the helper's expectation class (0 for ftp)
 * @param function   expectfn by name, e.g. {@link #NAT_FOLLOW_MASTER}
 */
public record Expectation(int family, Tuple master, Tuple tuple, Tuple mask, int timeout, long id, String helper,
                          int zone, int flags, int expectClass, ExpectationNat nat, String function) {
    public static final int PERMANENT = 1;
    public static final int INACTIVE = 2;
    public static final int USERSPACE = 4;
    public static final String NAT_FOLLOW_MASTER = "nat-follow-master";

    /**
     * An expectation to create: {@code tuple} expected as related to {@code master}, with an exact
     * source mask (address and, when non-zero, port). Add NAT with {@link #withNat}.
     */
    public static Expectation create(Tuple master, Tuple tuple, int timeoutSeconds) {
        IpAddress addrMask = tuple.src().v6() ? IpAddress.V6_HOST_MASK : IpAddress.V4_HOST_MASK;
        Tuple mask = new Tuple(addrMask, addrMask, tuple.protocol(), tuple.srcPort() == 0 ? 0 : 0xffff, 0xffff, 0, 0, 0);
        return new Expectation(tuple.family(), master, tuple, mask, timeoutSeconds, -1, null, 0, 0, 0, null, null);
    }

    public Expectation withMask(Tuple m) {
        return new Expectation(family, master, tuple, m, timeout, id, helper, zone, flags, expectClass, nat, function);
    }

    public Expectation withHelper(String h) {
        return new Expectation(family, master, tuple, mask, timeout, id, h, zone, flags, expectClass, nat, function);
    }

    public Expectation withZone(int z) {
        return new Expectation(family, master, tuple, mask, timeout, id, helper, z, flags, expectClass, nat, function);
    }

    public Expectation withFlags(int f) {
        return new Expectation(family, master, tuple, mask, timeout, id, helper, zone, f, expectClass, nat, function);
    }

    public Expectation withClass(int c) {
        return new Expectation(family, master, tuple, mask, timeout, id, helper, zone, flags, c, nat, function);
    }

    /** NAT for the expected connection, applied by {@code nat-follow-master}. */
    public Expectation withNat(ExpectationNat n) {
        return new Expectation(family, master, tuple, mask, timeout, id, helper, zone, flags, expectClass, n,
                n == null ? function : NAT_FOLLOW_MASTER);
    }

    public Expectation withFunction(String fn) {
        return new Expectation(family, master, tuple, mask, timeout, id, helper, zone, flags, expectClass, nat, fn);
    }

    @Override
    public String toString() {
        return "expect " + tuple + " master [" + master + "] timeout=" + timeout
                + (helper != null ? " helper=" + helper : "") + (nat != null ? " nat=" + nat.direction() + ":" + nat.address() + ":" + nat.port() : "")
                + (function != null ? " fn=" + function : "") + " flags=" + flags + " zone=" + zone + " id=" + id;
    }

    // ---- codec ----

    /** Refuses an incomplete expectation before anything is sent. */
    void validateForCreate() {
        if (master == null || tuple == null || mask == null) {
            throw new IllegalArgumentException("an expectation needs master, tuple and mask: " + this);
        }
        if (master.family() != tuple.family() || mask.family() != tuple.family()) {
            throw new IllegalArgumentException("expectation mixes address families: " + this);
        }
    }

    /** Attributes of IPCTNL_MSG_EXP_NEW, in the order libnetfilter_conntrack sends them. */
    void encodeCreate(MessageWriter w) {
        Tuple.encode(w, Cta.CTA_EXPECT_MASTER, master);
        Tuple.encode(w, Cta.CTA_EXPECT_TUPLE, tuple);
        Tuple.encode(w, Cta.CTA_EXPECT_MASK, mask);
        if (timeout >= 0) {
            w.be32(Cta.CTA_EXPECT_TIMEOUT, timeout);
        }
        if (zone != 0) {
            w.be16(Cta.CTA_EXPECT_ZONE, zone);
        }
        if (flags != 0) {
            w.be32(Cta.CTA_EXPECT_FLAGS, flags);
        }
        if (helper != null) {
            w.string(Cta.CTA_EXPECT_HELP_NAME, helper);
        }
        if (expectClass != 0) {
            w.be32(Cta.CTA_EXPECT_CLASS, expectClass);
        }
        if (nat != null) {
            ExpectationNat.encode(w, Cta.CTA_EXPECT_NAT, nat);
        }
        if (function != null) {
            w.string(Cta.CTA_EXPECT_FN, function);
        }
    }

    /** Writes all attributes as the kernel sends them in a dump or an event (for fakes and tests). */
    void encodeFull(MessageWriter w) {
        encodeCreate(w);
        if (id >= 0) {
            w.be32(Cta.CTA_EXPECT_ID, (int) id);
        }
    }

    public Expectation withId(long newId) {
        return new Expectation(family, master, tuple, mask, timeout, newId, helper, zone, flags, expectClass, nat, function);
    }

    public Expectation withTimeout(int t) {
        return new Expectation(family, master, tuple, mask, t, id, helper, zone, flags, expectClass, nat, function);
    }

    static Expectation decode(ByteBuffer b, int payload, int end) throws NetlinkDecodeException {
        if (end - payload < Netlink.NFGENMSG_LEN) {
            throw new NetlinkDecodeException("expectation message without nfgenmsg");
        }
        int family = b.get(payload) & 0xff;
        Tuple master = null;
        Tuple tuple = null;
        Tuple mask = null;
        int timeout = -1;
        long id = -1;
        String helper = null;
        int zone = 0;
        int flags = 0;
        int cls = 0;
        ExpectationNat nat = null;
        String fn = null;
        for (int p = payload + Netlink.NFGENMSG_LEN; p < end; ) {
            int len = Attrs.length(b, p, end);
            switch (Attrs.type(b, p)) {
                case Cta.CTA_EXPECT_MASTER -> master = Tuple.decode(b, p, len);
                case Cta.CTA_EXPECT_TUPLE -> tuple = Tuple.decode(b, p, len);
                case Cta.CTA_EXPECT_MASK -> mask = Tuple.decode(b, p, len);
                case Cta.CTA_EXPECT_TIMEOUT -> timeout = Attrs.be32(b, p, len);
                case Cta.CTA_EXPECT_ID -> id = Attrs.be32(b, p, len) & 0xffffffffL;
                case Cta.CTA_EXPECT_HELP_NAME -> helper = Conntrack.name(b, p, len);
                case Cta.CTA_EXPECT_ZONE -> zone = Attrs.be16(b, p, len);
                case Cta.CTA_EXPECT_FLAGS -> flags = Attrs.be32(b, p, len);
                case Cta.CTA_EXPECT_CLASS -> cls = Attrs.be32(b, p, len);
                case Cta.CTA_EXPECT_NAT -> nat = ExpectationNat.decode(b, p, len);
                case Cta.CTA_EXPECT_FN -> fn = Attrs.string(b, p, len);
                default -> { }
            }
            p = Attrs.next(p, len);
        }
        if (tuple == null) {
            throw new NetlinkDecodeException("expectation without tuple");
        }
        return new Expectation(family, master, tuple, mask, timeout, id, helper, zone, flags, cls, nat, fn);
    }
}
