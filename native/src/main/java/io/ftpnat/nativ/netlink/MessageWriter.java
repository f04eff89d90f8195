package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one nfnetlink request (nlmsghdr + nfgenmsg + attributes) in a reused direct buffer.
 * Header fields are host byte order; the {@code be*} attribute writers put big-endian payloads as
 * ctnetlink expects. Nested attributes carry NLA_F_NESTED, as libnetfilter_conntrack sends them.
 */
public final class MessageWriter {
    private final ByteBuffer buf;

    public MessageWriter(int capacity) {
        this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a message; seq and port id are filled in by the connection. */
    public MessageWriter begin(int type, int flags, int family, int resId) {
        buf.clear();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
        buf.put((byte) family).put((byte) 0).putShort(Short.reverseBytes((short) resId));
        return this;
    }

    public int type() {
        return buf.getShort(4) & 0xffff;
    }

    public int flags() {
        return buf.getShort(6) & 0xffff;
    }

    public MessageWriter addFlags(int flags) {
        buf.putShort(6, (short) (flags() | flags));
        return this;
    }

    private void header(int type, int payloadLen) {
        buf.putShort((short) (4 + payloadLen)).putShort((short) type);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    public MessageWriter u8(int type, int v) {
        header(type, 1);
        buf.put((byte) v);
        pad();
        return this;
    }

    public MessageWriter be16(int type, int v) {
        header(type, 2);
        buf.putShort(Short.reverseBytes((short) v));
        pad();
        return this;
    }

    public MessageWriter be32(int type, int v) {
        header(type, 4);
        buf.putInt(Integer.reverseBytes(v));
        return this;
    }

    public MessageWriter be64(int type, long v) {
        header(type, 8);
        buf.putLong(Long.reverseBytes(v));
        return this;
    }

    public MessageWriter bytes(int type, byte[] v) {
        header(type, v.length);
        buf.put(v);
        pad();
        return this;
    }

    /** IPv4 address (4 bytes, network order) from an int. */
    public MessageWriter ipv4(int type, int addr) {
        header(type, 4);
        buf.putInt(Integer.reverseBytes(addr));
        return this;
    }

    /** IPv6 address (16 bytes, network order) from two longs. */
    public MessageWriter ipv6(int type, long hi, long lo) {
        header(type, 16);
        buf.putLong(Long.reverseBytes(hi)).putLong(Long.reverseBytes(lo));
        return this;
    }

    /** A NUL-terminated string, as the kernel's NLA_NUL_STRING/NLA_STRING policies accept. */
    public MessageWriter string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        header(type, b.length + 1);
        buf.put(b).put((byte) 0);
        pad();
        return this;
    }

    /** Opens a nested attribute; pass the returned mark to {@link #end(int)}. */
    public int nest(int type) {
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) (type | Netlink.NLA_F_NESTED));
        return start;
    }

    public MessageWriter end(int nestStart) {
        buf.putShort(nestStart, (short) (buf.position() - nestStart));
        return this;
    }

    /** Finishes the message with the given sequence number; returns the buffer positioned on it. */
    public ByteBuffer finish(int seq) {
        int len = buf.position();
        buf.putInt(0, len).putInt(8, seq);
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.position(0).limit(len);
        return out;
    }

    /** A copy of the finished message's bytes (for tests and fixtures). */
    public byte[] toBytes(int seq) {
        ByteBuffer b = finish(seq);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
