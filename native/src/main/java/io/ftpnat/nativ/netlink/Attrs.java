package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reading of netlink attributes straight from the receive buffer (no attribute
 * objects): iterate with
 * <pre>for (int p = start; p &lt; end; p = Attrs.next(p, len)) { int len = Attrs.length(b, p, end); int type = Attrs.type(b, p); ... }</pre>
 * The buffer is in host byte order; {@code be*} read big-endian payloads. Every malformed length
 * raises {@link NetlinkDecodeException}.
 */
public final class Attrs {
    public static final int HDRLEN = 4;

    private Attrs() {
    }

    /** The attribute's total length (header included), checked against its container's end. */
    public static int length(ByteBuffer b, int p, int end) throws NetlinkDecodeException {
        if (end - p < HDRLEN) {
            throw new NetlinkDecodeException("attribute header at " + p + " runs past its container end " + end);
        }
        int len = b.getShort(p) & 0xffff;
        if (len < HDRLEN || len > end - p) {
            throw new NetlinkDecodeException("attribute at " + p + " has length " + len + ", container ends at " + end);
        }
        return len;
    }

    public static int type(ByteBuffer b, int p) {
        return b.getShort(p + 2) & Netlink.NLA_TYPE_MASK;
    }

    public static int next(int p, int len) {
        return p + Netlink.align(len);
    }

    private static void need(int len, int size, String what) throws NetlinkDecodeException {
        if (len - HDRLEN < size) {
            throw new NetlinkDecodeException(what + " attribute needs " + size + " bytes, has " + (len - HDRLEN));
        }
    }

    public static int u8(ByteBuffer b, int p, int len) throws NetlinkDecodeException {
        need(len, 1, "u8");
        return b.get(p + HDRLEN) & 0xff;
    }

    public static int be16(ByteBuffer b, int p, int len) throws NetlinkDecodeException {
        need(len, 2, "be16");
        return Short.reverseBytes(b.getShort(p + HDRLEN)) & 0xffff;
    }

    public static int be32(ByteBuffer b, int p, int len) throws NetlinkDecodeException {
        need(len, 4, "be32");
        return Integer.reverseBytes(b.getInt(p + HDRLEN));
    }

    public static long be64(ByteBuffer b, int p, int len) throws NetlinkDecodeException {
        need(len, 8, "be64");
        return Long.reverseBytes(b.getLong(p + HDRLEN));
    }

    /** Host-order u32 (nfnetlink_log's NFULA_* u32 values are big-endian too; this is for netlink headers). */
    public static int u32(ByteBuffer b, int p, int len) throws NetlinkDecodeException {
        need(len, 4, "u32");
        return b.getInt(p + HDRLEN);
    }

    /** A string attribute, up to its first NUL. */
    public static String string(ByteBuffer b, int p, int len) {
        int n = 0;
        int max = len - HDRLEN;
        while (n < max && b.get(p + HDRLEN + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        b.get(p + HDRLEN, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Whether the string attribute equals {@code s} (no allocation), for interning common names. */
    public static boolean stringEquals(ByteBuffer b, int p, int len, String s) {
        int max = len - HDRLEN;
        int n = s.length();
        if (n > max || (n < max && b.get(p + HDRLEN + n) != 0)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b.get(p + HDRLEN + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public static byte[] bytes(ByteBuffer b, int p, int len) {
        byte[] out = new byte[len - HDRLEN];
        b.get(p + HDRLEN, out);
        return out;
    }

    /** Start of an attribute's payload (for nested attributes: the first child). */
    public static int payload(int p) {
        return p + HDRLEN;
    }
}
