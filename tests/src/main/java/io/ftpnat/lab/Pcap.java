package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal reader of classic pcap files (as tcpdump -w writes them) for Ethernet frames carrying
 * IPv4 or IPv6 TCP: enough to rebuild FTP control dialogues and spot data-connection SYNs. A
 * truncated last record (a capture still being written) is ignored.
 */
public final class Pcap {
    private Pcap() {}

    /** One TCP segment as captured. */
    public record Segment(double time, String src, int sport, String dst, int dport, long seq, int flags, byte[] payload) {
        public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

        public boolean syn() { return (flags & SYN) != 0 && (flags & ACK) == 0; }

        public boolean synAck() { return (flags & SYN) != 0 && (flags & ACK) != 0; }

        public String from() { return endpoint(src, sport); }

        public String to() { return endpoint(dst, dport); }

        public static String endpoint(String addr, int port) { return addr.contains(":") ? "[" + addr + "]:" + port : addr + ":" + port; }
    }

    public static List<Segment> read(Path file) {
        byte[] all;
        try {
            all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Segment> out = new ArrayList<>();
        if (all.length < 24) return out;
        ByteBuffer b = ByteBuffer.wrap(all);
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        nanos = magic == 0xa1b23c4d;
        int linktype = b.getInt(20);
        b.position(24);
        while (b.remaining() >= 16) {
            long sec = Integer.toUnsignedLong(b.getInt());
            long frac = Integer.toUnsignedLong(b.getInt());
            int incl = b.getInt();
            b.getInt(); // original length
            if (incl < 0 || incl > b.remaining()) break;
            byte[] frame = new byte[incl];
            b.get(frame);
            double t = sec + frac / (nanos ? 1e9 : 1e6);
            Segment s = decode(t, frame, linktype);
            if (s != null) out.add(s);
        }
        return out;
    }

    private static Segment decode(double time, byte[] f, int linktype) {
        int off;
        int etherType;
        if (linktype == 1) { // Ethernet
            if (f.length < 14) return null;
            etherType = u16(f, 12);
            off = 14;
            if (etherType == 0x8100 && f.length >= 18) {
                etherType = u16(f, 16);
                off = 18;
            }
        } else if (linktype == 113) { // Linux cooked (any interface)
            if (f.length < 16) return null;
            etherType = u16(f, 14);
            off = 16;
        } else if (linktype == 101) { // raw IP
            etherType = (f[0] >> 4) == 6 ? 0x86DD : 0x0800;
            off = 0;
        } else {
            return null;
        }
        String src, dst;
        int tcpOff, ipEnd;
        if (etherType == 0x0800) {
            if (f.length < off + 20 || f[off + 9] != 6) return null;
            int ihl = (f[off] & 0x0f) * 4;
            ipEnd = Math.min(f.length, off + u16(f, off + 2));
            src = addr(f, off + 12, 4);
            dst = addr(f, off + 16, 4);
            tcpOff = off + ihl;
        } else if (etherType == 0x86DD) {
            if (f.length < off + 40 || f[off + 6] != 6) return null; // no extension headers in the lab
            ipEnd = Math.min(f.length, off + 40 + u16(f, off + 4));
            src = addr(f, off + 8, 16);
            dst = addr(f, off + 24, 16);
            tcpOff = off + 40;
        } else {
            return null;
        }
        if (f.length < tcpOff + 20) return null;
        int sport = u16(f, tcpOff), dport = u16(f, tcpOff + 2);
        long seq = ((long) u16(f, tcpOff + 4) << 16) | u16(f, tcpOff + 6);
        int dataOff = ((f[tcpOff + 12] >> 4) & 0x0f) * 4;
        int flags = f[tcpOff + 13] & 0xff;
        int start = tcpOff + dataOff;
        byte[] payload = start < ipEnd ? Arrays.copyOfRange(f, start, ipEnd) : new byte[0];
        return new Segment(time, src, sport, dst, dport, seq, flags, payload);
    }

    private static int u16(byte[] f, int i) { return ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff); }

    private static String addr(byte[] f, int off, int len) {
        try {
            String s = InetAddress.getByAddress(Arrays.copyOfRange(f, off, off + len)).getHostAddress();
            return len == 16 ? compress(s) : s;
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    /** fd00:10:0:0:0:0:0:2 → fd00:10::2 (the longest run of zero groups collapsed). */
    static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) j++;
                if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) return full;
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }
}
