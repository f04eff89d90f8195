package io.ftpnat.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds the network-layer packets NFLOG copies: IPv4 or IPv6, TCP with timestamps (doff 8), payload. */
public final class Packets {
    private Packets() {
    }

    public static byte[] v4(String src, int sport, String dst, int dport, long seq, String payload) {
        return v4(src, sport, dst, dport, seq, payload.getBytes(StandardCharsets.ISO_8859_1), Integer.MAX_VALUE);
    }

    /** {@code snaplen}: the copy is cut after that many bytes (the IP length stays the real one). */
    static byte[] v4(String src, int sport, String dst, int dport, long seq, byte[] payload, int snaplen) {
        int total = 20 + 32 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0);
        b.put(addr(src)).put(addr(dst));
        tcp(b, sport, dport, seq);
        b.put(payload);
        byte[] all = b.array();
        return snaplen >= all.length ? all : java.util.Arrays.copyOf(all, snaplen);
    }

    static byte[] v6(String src, int sport, String dst, int dport, long seq, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(40 + 32 + p.length);
        b.putInt(0x60000000).putShort((short) (32 + p.length)).put((byte) 6).put((byte) 64);
        b.put(addr(src)).put(addr(dst));
        tcp(b, sport, dport, seq);
        b.put(p);
        return b.array();
    }

    private static void tcp(ByteBuffer b, int sport, int dport, long seq) {
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(1)
                .put((byte) (8 << 4)).put((byte) 0x18).putShort((short) 64000).putShort((short) 0).putShort((short) 0);
        b.put(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}); // NOP NOP timestamps
    }

    private static byte[] addr(String a) {
        try {
            return java.net.InetAddress.getByName(a).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }
}
