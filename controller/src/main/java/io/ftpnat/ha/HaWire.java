package io.ftpnat.ha;

import io.ftpnat.nativ.netlink.conntrack.Direction;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationNat;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustment;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pair's messages over the sync link: typed fields only, one message per datagram, at most
 * {@link #MAX_DATAGRAM} bytes, authenticated with HMAC-SHA256 under the pair's shared key.
 *
 * <pre>
 *   "FNHA" version(1) type(1) boot(8) counter(8) millis(8) body... hmac(32)
 *   STATE  : tuple(master) seqadj(orig) seqadj(reply) hasExpectation(1) [tuple(expected) tuple(mask) class(4) flags(4)
 *            hasNat(1) [direction(1) address port]]
 *   GONE   : tuple(master)
 *   HELLO  : (empty) — a heartbeat; a peer that hears a new boot id answers with all it tracks
 *   tuple  : v6(1) protocol(1) src(4|16) dst(4|16) srcPort(2) dstPort(2)
 *   seqadj : correctionPos(4) offsetBefore(4) offsetAfter(4)
 * </pre>
 * Expectations are always the ftp helper's, with {@code nat-follow-master} when they have NAT:
 * the wire has no room for a helper or function name, so none can be smuggled.
 */
public final class HaWire {
    public static final int MAX_DATAGRAM = 512;
    static final int HMAC_LEN = 32;
    private static final int MAGIC = 0x464e4841; // "FNHA"
    private static final int VERSION = 1;

    public enum Type { STATE, GONE, HELLO }

    /** A decoded, authenticated message. */
    public record Message(Type type, long boot, long counter, long millis, FtpControlState state, Tuple gone) { }

    private final SecretKeySpec key;

    public HaWire(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("the HA key must have at least 16 bytes (it has " + key.length + ")");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    public byte[] encode(Type type, long boot, long counter, long millis, FtpControlState state, Tuple gone) {
        ByteBuffer b = ByteBuffer.allocate(MAX_DATAGRAM);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) type.ordinal()).putLong(boot).putLong(counter).putLong(millis);
        switch (type) {
            case STATE -> {
                tuple(b, state.master());
                seqadj(b, state.adjustments().original());
                seqadj(b, state.adjustments().reply());
                Expectation e = state.expectation();
                b.put((byte) (e == null ? 0 : 1));
                if (e != null) {
                    tuple(b, e.tuple());
                    tuple(b, e.mask());
                    b.putInt(e.expectClass()).putInt(e.flags());
                    b.put((byte) (e.nat() == null ? 0 : 1));
                    if (e.nat() != null) {
                        b.put((byte) e.nat().direction().ordinal());
                        address(b, e.nat().address());
                        b.putShort((short) e.nat().port());
                    }
                }
            }
            case GONE -> tuple(b, gone);
            case HELLO -> { }
        }
        b.put(mac(b.array(), b.position()));
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** The message, or null when it is not one of ours: bad size, magic, version, HMAC or fields. */
    public Message decode(byte[] d, int len) {
        if (len < 30 + HMAC_LEN || len > MAX_DATAGRAM) {
            return null;
        }
        byte[] want = mac(d, len - HMAC_LEN);
        byte[] got = java.util.Arrays.copyOfRange(d, len - HMAC_LEN, len);
        if (!MessageDigest.isEqual(want, got)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(d, 0, len - HMAC_LEN);
        try {
            if (b.getInt() != MAGIC || b.get() != VERSION) {
                return null;
            }
            int t = b.get();
            if (t < 0 || t >= Type.values().length) {
                return null;
            }
            Type type = Type.values()[t];
            long boot = b.getLong();
            long counter = b.getLong();
            long millis = b.getLong();
            FtpControlState state = null;
            Tuple gone = null;
            switch (type) {
                case STATE -> {
                    Tuple master = tuple(b);
                    SequenceAdjustments adj = new SequenceAdjustments(seqadj(b), seqadj(b));
                    Expectation e = null;
                    if (b.get() == 1) {
                        Tuple expected = tuple(b);
                        Tuple mask = tuple(b);
                        int cls = b.getInt();
                        int flags = b.getInt();
                        e = Expectation.create(master, expected, -1).withMask(mask).withHelper("ftp").withClass(cls)
                                .withFlags(flags & Expectation.PERMANENT); // never INACTIVE/USERSPACE from the wire
                        if (b.get() == 1) {
                            Direction dir = b.get() == 0 ? Direction.ORIGINAL : Direction.REPLY;
                            IpAddress a = address(b, expected.src().v6());
                            e = e.withNat(ExpectationNat.to(dir, expected.protocol(), a, b.getShort() & 0xffff));
                        }
                    }
                    state = new FtpControlState(master, adj, e);
                }
                case GONE -> gone = tuple(b);
                case HELLO -> { }
            }
            if (b.hasRemaining()) {
                return null;
            }
            return new Message(type, boot, counter, millis, state, gone);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] mac(byte[] d, int len) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(d, 0, len);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static void tuple(ByteBuffer b, Tuple t) {
        b.put((byte) (t.src().v6() ? 1 : 0)).put((byte) t.protocol());
        address(b, t.src());
        address(b, t.dst());
        b.putShort((short) t.srcPort()).putShort((short) t.dstPort());
    }

    private static Tuple tuple(ByteBuffer b) {
        int v6 = b.get();
        if (v6 != 0 && v6 != 1) {
            throw new IllegalArgumentException("family");
        }
        int proto = b.get() & 0xff;
        if (proto != Tuple.TCP) {
            throw new IllegalArgumentException("FTP is TCP only");
        }
        IpAddress src = address(b, v6 == 1);
        IpAddress dst = address(b, v6 == 1);
        return Tuple.of(proto, src, b.getShort() & 0xffff, dst, b.getShort() & 0xffff);
    }

    private static void address(ByteBuffer b, IpAddress a) {
        b.put(a.toBytes());
    }

    private static IpAddress address(ByteBuffer b, boolean v6) {
        return v6 ? IpAddress.v6(b.getLong(), b.getLong()) : IpAddress.v4(b.getInt());
    }

    private static void seqadj(ByteBuffer b, SequenceAdjustment s) {
        b.putInt((int) s.correctionPos()).putInt(s.offsetBefore()).putInt(s.offsetAfter());
    }

    private static SequenceAdjustment seqadj(ByteBuffer b) {
        return new SequenceAdjustment(b.getInt() & 0xffffffffL, b.getInt(), b.getInt());
    }
}
