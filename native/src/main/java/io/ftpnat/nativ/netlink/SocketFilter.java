package io.ftpnat.nativ.netlink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF program (struct sock_filter[]) for {@code SO_ATTACH_FILTER}, and a small
 * assembler with named labels so programs read top to bottom. The kernel runs it on every
 * datagram before it is queued to the socket: a datagram the program rejects (returns 0) costs
 * the receiver nothing and never counts against its receive buffer.
 *
 * <p>Only the instructions the netlink filters need: loads (absolute, indirect, immediate),
 * the netlink ancillary loads {@code SKF_AD_NLATTR} / {@code SKF_AD_NLATTR_NEST}, TAX,
 * conditional jumps on a constant, and returns. Jumps only go forward (the kernel refuses
 * anything else), at most 255 instructions ahead.
 */
public final class SocketFilter {
    // linux/filter.h and linux/bpf_common.h
    public static final int BPF_LD = 0x00, BPF_LDX = 0x01, BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
    public static final int BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
    public static final int BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40;
    public static final int BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JSET = 0x40;
    public static final int BPF_K = 0x00;
    public static final int BPF_TAX = 0x00;
    /** Ancillary data: loads at these (negative) offsets call kernel helpers instead of reading the packet. */
    public static final int SKF_AD_OFF = -0x1000;
    /** A = offset of the first attribute of type X at or after offset A (0 if none): nla_find. */
    public static final int SKF_AD_NLATTR = 12;
    /** A = offset of the attribute of type X nested in the attribute at offset A (0 if none). */
    public static final int SKF_AD_NLATTR_NEST = 16;
    /** The kernel's limit on a classic program (BPF_MAXINSNS). */
    public static final int MAX_INSTRUCTIONS = 4096;

    /** One instruction: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
    public record Instruction(int code, int jt, int jf, int k) {
    }

    private final List<Instruction> program;

    private SocketFilter(List<Instruction> program) {
        this.program = List.copyOf(program);
    }

    /**
     * A program that drops what the sockets {@code portIds} caused (see
     * {@link Assembler#jumpIfSender}) and keeps everything else: a process's own writes do not wake
     * its own listeners.
     */
    public static SocketFilter ignoringSenders(java.nio.ByteOrder hostOrder, int... portIds) {
        return new Assembler().jumpIfSender(hostOrder, portIds, "own").ret(-1).label("own").ret(0).build();
    }

    public List<Instruction> instructions() {
        return program;
    }

    public int length() {
        return program.size();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < program.size(); i++) {
            Instruction in = program.get(i);
            s.append(String.format("%3d: code=0x%02x jt=%d jf=%d k=0x%08x%n", i, in.code(), in.jt(), in.jf(), in.k()));
        }
        return s.toString();
    }

    /** Builds a program; labels name jump targets, resolved by {@link #build()}. */
    public static final class Assembler {
        private record Pending(int code, String jt, String jf, int k) {
        }

        private final List<Pending> code = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        /** Marks the next instruction as {@code name}. */
        public Assembler label(String name) {
            if (labels.putIfAbsent(name, code.size()) != null) {
                throw new IllegalArgumentException("label defined twice: " + name);
            }
            return this;
        }

        private Assembler add(int op, String jt, String jf, int k) {
            code.add(new Pending(op, jt, jf, k));
            return this;
        }

        /** A = k. */
        public Assembler loadImmediate(int k) {
            return add(BPF_LD | BPF_W | BPF_IMM, null, null, k);
        }

        /** X = k. */
        public Assembler loadXImmediate(int k) {
            return add(BPF_LDX | BPF_W | BPF_IMM, null, null, k);
        }

        /** A = the big-endian value of {@code size} (BPF_W, BPF_H, BPF_B) at packet offset k. */
        public Assembler loadAbsolute(int size, int k) {
            return add(BPF_LD | size | BPF_ABS, null, null, k);
        }

        /** A = the big-endian value of {@code size} at packet offset X + k. */
        public Assembler loadIndirect(int size, int k) {
            return add(BPF_LD | size | BPF_IND, null, null, k);
        }

        /** A = the offset of the first attribute of type X at or after offset A (0: none). */
        public Assembler findAttribute() {
            return add(BPF_LD | BPF_W | BPF_ABS, null, null, SKF_AD_OFF + SKF_AD_NLATTR);
        }

        /** A = the offset of the attribute of type X nested in the one at offset A (0: none). */
        public Assembler findNestedAttribute() {
            return add(BPF_LD | BPF_W | BPF_ABS, null, null, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
        }

        /** X = A. */
        public Assembler tax() {
            return add(BPF_MISC | BPF_TAX, null, null, 0);
        }

        /** If A == k go to {@code ifTrue}, else to {@code ifFalse} (null: the next instruction). */
        public Assembler jumpIfEqual(int k, String ifTrue, String ifFalse) {
            return add(BPF_JMP | BPF_JEQ | BPF_K, ifTrue, ifFalse, k);
        }

        /** If A &amp; k != 0 go to {@code ifTrue}, else to {@code ifFalse} (null: the next instruction). */
        public Assembler jumpIfAnySet(int k, String ifTrue, String ifFalse) {
            return add(BPF_JMP | BPF_JSET | BPF_K, ifTrue, ifFalse, k);
        }

        /**
         * Goes to {@code ifSender} when the datagram's (first) message was caused by one of the
         * sockets {@code portIds}: its {@code nlmsg_pid}, a host-order u32 at offset 12. The kernel
         * puts the requesting socket's port id there in the notifications a request causes
         * (ctnetlink's events, nf_tables' notifications), and 0 in those it makes on its own; all
         * the messages of one datagram come from one transaction, so the first one speaks for all.
         * No port ids: no instruction.
         */
        public Assembler jumpIfSender(java.nio.ByteOrder hostOrder, int[] portIds, String ifSender) {
            if (portIds.length == 0) {
                return this;
            }
            loadAbsolute(BPF_W, 12); // BPF loads big-endian
            for (int portId : portIds) {
                if (portId == 0) {
                    throw new IllegalArgumentException("port id 0 is the kernel's own");
                }
                jumpIfEqual(hostOrder == java.nio.ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(portId) : portId, ifSender, null);
            }
            return this;
        }

        /** Returns k: the number of bytes of the datagram to keep (0 = drop it, -1 = keep all). */
        public Assembler ret(int k) {
            return add(BPF_RET | BPF_K, null, null, k);
        }

        public SocketFilter build() {
            if (code.isEmpty() || code.size() > MAX_INSTRUCTIONS) {
                throw new IllegalStateException("program of " + code.size() + " instructions");
            }
            if ((code.get(code.size() - 1).code() & 0x07) != BPF_RET) {
                throw new IllegalStateException("a program must end with a return");
            }
            List<Instruction> out = new ArrayList<>(code.size());
            for (int pc = 0; pc < code.size(); pc++) {
                Pending p = code.get(pc);
                out.add(new Instruction(p.code(), offset(pc, p.jt()), offset(pc, p.jf()), p.k()));
            }
            return new SocketFilter(out);
        }

        private int offset(int pc, String label) {
            if (label == null) {
                return 0;
            }
            Integer target = labels.get(label);
            if (target == null) {
                throw new IllegalStateException("undefined label " + label);
            }
            int off = target - pc - 1;
            if (off < 0 || off > 255) {
                throw new IllegalStateException("jump from " + pc + " to " + label + " is not forward within 255");
            }
            return off;
        }
    }
}
