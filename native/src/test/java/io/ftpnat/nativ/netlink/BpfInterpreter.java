package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a {@link SocketFilter} on a datagram the way the kernel's classic BPF does (net/core/filter.c),
 * for the instructions SocketFilter can express: loads are big-endian; a load outside the packet
 * ends the program with 0 (drop); the netlink ancillary loads are bpf_skb_get_nlattr and
 * bpf_skb_get_nlattr_nest (nla_find over host-order attribute headers). Test code only.
 */
public final class BpfInterpreter {
    private static final int NLA_HDRLEN = 4;
    private static final int NLA_TYPE_MASK = ~(0x8000 | 0x4000);

    private BpfInterpreter() {
    }

    /** Returns what the program returns for {@code packet} (0: rejected). */
    public static int run(SocketFilter program, byte[] packet) {
        ByteBuffer host = ByteBuffer.wrap(packet).order(ByteOrder.nativeOrder());
        int a = 0;
        int x = 0;
        int pc = 0;
        var code = program.instructions();
        for (int steps = 0; steps < SocketFilter.MAX_INSTRUCTIONS; steps++) {
            SocketFilter.Instruction in = code.get(pc++);
            int op = in.code();
            int cls = op & 0x07;
            switch (cls) {
                case SocketFilter.BPF_LD -> {
                    int mode = op & 0xe0;
                    int size = op & 0x18;
                    if (mode == SocketFilter.BPF_IMM) {
                        a = in.k();
                    } else if (mode == SocketFilter.BPF_ABS && in.k() == SocketFilter.SKF_AD_OFF + SocketFilter.SKF_AD_NLATTR) {
                        a = nlattr(host, a, x);
                    } else if (mode == SocketFilter.BPF_ABS && in.k() == SocketFilter.SKF_AD_OFF + SocketFilter.SKF_AD_NLATTR_NEST) {
                        a = nlattrNest(host, a, x);
                    } else {
                        long off = (mode == SocketFilter.BPF_IND ? (x & 0xffffffffL) : 0) + in.k();
                        int width = size == SocketFilter.BPF_W ? 4 : size == SocketFilter.BPF_H ? 2 : 1;
                        if (in.k() < 0 || off + width > packet.length) {
                            return 0;
                        }
                        int v = 0;
                        for (int i = 0; i < width; i++) {
                            v = (v << 8) | (packet[(int) off + i] & 0xff);
                        }
                        a = v;
                    }
                }
                case SocketFilter.BPF_LDX -> x = in.k();
                case SocketFilter.BPF_MISC -> x = a;
                case SocketFilter.BPF_JMP -> {
                    int j = op & 0xf0;
                    boolean taken = switch (j) {
                        case SocketFilter.BPF_JA -> true;
                        case SocketFilter.BPF_JEQ -> a == in.k();
                        case SocketFilter.BPF_JSET -> (a & in.k()) != 0;
                        default -> throw new IllegalArgumentException("jump 0x" + Integer.toHexString(op));
                    };
                    pc += j == SocketFilter.BPF_JA ? in.k() : taken ? in.jt() : in.jf();
                }
                case SocketFilter.BPF_RET -> {
                    return in.k();
                }
                default -> throw new IllegalArgumentException("instruction 0x" + Integer.toHexString(op));
            }
        }
        throw new IllegalStateException("program ran past its length");
    }

    private static int nlattr(ByteBuffer b, int a, int type) {
        int len = b.capacity();
        if (len < NLA_HDRLEN || Integer.compareUnsigned(a, len - NLA_HDRLEN) > 0) {
            return 0;
        }
        return find(b, a, len - a, type);
    }

    private static int nlattrNest(ByteBuffer b, int a, int type) {
        int len = b.capacity();
        if (len < NLA_HDRLEN || Integer.compareUnsigned(a, len - NLA_HDRLEN) > 0) {
            return 0;
        }
        int nlaLen = b.getShort(a) & 0xffff;
        if (nlaLen > len - a) {
            return 0;
        }
        return find(b, a + NLA_HDRLEN, nlaLen - NLA_HDRLEN, type);
    }

    /** nla_find: the first attribute of {@code type} in [start, start+rem), by nla_ok/nla_next. */
    private static int find(ByteBuffer b, int start, int rem, int type) {
        int p = start;
        while (rem >= NLA_HDRLEN) {
            int nlaLen = b.getShort(p) & 0xffff;
            if (nlaLen < NLA_HDRLEN || nlaLen > rem) {
                return 0;
            }
            if (((b.getShort(p + 2) & 0xffff) & NLA_TYPE_MASK) == type) {
                return p;
            }
            int step = (nlaLen + 3) & ~3;
            p += step;
            rem -= step;
        }
        return 0;
    }
}
