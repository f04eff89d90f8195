package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one nfnetlink request (nlmsghdr + nfgenmsg + attributes) in a reused direct buffer, or
 * several messages in a row for one datagram (an nfnetlink batch: {@link #next}).
 * Header fields are host byte order; the {@code be*} attribute writers put big-endian payloads as
 * ctnetlink expects. Nested attributes carry NLA_F_NESTED, as libnetfilter_conntrack sends them.
 */
public final class MessageWriter {
    private final ByteBuffer buf;
    /** Where the message being written starts (0 unless {@link #next} appended one). */
    private int msgStart;

    public MessageWriter(int capacity) {
        this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a message; seq and port id are filled in by the connection. */
    public MessageWriter begin(int type, int flags, int family, int resId) {
        buf.clear();
        msgStart = 0;
        header(type, flags, family, resId);
        return this;
    }

    /**
     * Closes the message being written and starts another one right after it, in the same
     * datagram (nfnetlink batches). Set each message's sequence number with {@link #seq}.
     */
    public MessageWriter next(int type, int flags, int family, int resId) {
        closeMessage();
        msgStart = buf.position();
        header(type, flags, family, resId);
        return this;
    }

    /** Sets the sequence number of the message being written. */
    public MessageWriter seq(int seq) {
        buf.putInt(msgStart + 8, seq);
        return this;
    }

    private void closeMessage() {
        buf.putInt(msgStart, buf.position() - msgStart);
    }

    private void header(int type, int flags, int family, int resId) {
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
        buf.put((byte) family).put((byte) 0).putShort(Short.reverseBytes((short) resId));
    }

    public int type() {
        return buf.getShort(msgStart + 4) & 0xffff;
    }

    public int flags() {
        return buf.getShort(msgStart + 6) & 0xffff;
    }

    public MessageWriter addFlags(int flags) {
        buf.putShort(msgStart + 6, (short) (flags() | flags));
        return this;
    }

    private void attr(int type, int payloadLen) {
        buf.putShort((short) (4 + payloadLen)).putShort((short) type);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    public MessageWriter u8(int type, int v) {
        attr(type, 1);
        buf.put((byte) v);
        pad();
        return this;
    }

    public MessageWriter be16(int type, int v) {
        attr(type, 2);
        buf.putShort(Short.reverseBytes((short) v));
        pad();
        return this;
    }

    public MessageWriter be32(int type, int v) {
        attr(type, 4);
        buf.putInt(Integer.reverseBytes(v));
        return this;
    }

    /** A u32 in host byte order (NLA_U32, e.g. CTA_FILTER's flags). */
    public MessageWriter u32(int type, int v) {
        attr(type, 4);
        buf.putInt(v); // the buffer is in native order
        return this;
    }

    public MessageWriter be64(int type, long v) {
        attr(type, 8);
        buf.putLong(Long.reverseBytes(v));
        return this;
    }

    public MessageWriter bytes(int type, byte[] v) {
        attr(type, v.length);
        buf.put(v);
        pad();
        return this;
    }

    /** IPv4 address (4 bytes, network order) from an int. */
    public MessageWriter ipv4(int type, int addr) {
        attr(type, 4);
        buf.putInt(Integer.reverseBytes(addr));
        return this;
    }

    /** IPv6 address (16 bytes, network order) from two longs. */
    public MessageWriter ipv6(int type, long hi, long lo) {
        attr(type, 16);
        buf.putLong(Long.reverseBytes(hi)).putLong(Long.reverseBytes(lo));
        return this;
    }

    /** A NUL-terminated string, as the kernel's NLA_NUL_STRING/NLA_STRING policies accept. */
    public MessageWriter string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        attr(type, b.length + 1);
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

    /** Finishes the (last) message with the given sequence number; returns the buffer positioned on all messages. */
    public ByteBuffer finish(int seq) {
        seq(seq);
        return finishBatch();
    }

    /** Finishes the last message, keeping the sequence numbers set by {@link #seq}; returns the buffer positioned on all messages. */
    public ByteBuffer finishBatch() {
        closeMessage();
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.position(0).limit(buf.position());
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
