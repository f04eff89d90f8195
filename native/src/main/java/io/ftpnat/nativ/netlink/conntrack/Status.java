package io.ftpnat.nativ.netlink.conntrack;

import java.util.EnumSet;
import java.util.Set;

/** Conntrack status bits (enum ip_conntrack_status, linux/netfilter/nf_conntrack_common.h). */
public enum Status {
    EXPECTED(0), SEEN_REPLY(1), ASSURED(2), CONFIRMED(3), SRC_NAT(4), DST_NAT(5), SEQ_ADJUST(6),
    SRC_NAT_DONE(7), DST_NAT_DONE(8), DYING(9), FIXED_TIMEOUT(10), TEMPLATE(11), NAT_CLASH(12),
    HELPER(13), OFFLOAD(14), HW_OFFLOAD(15);

    private final int bit;

    Status(int bit) {
        this.bit = bit;
    }

    public int mask() {
        return 1 << bit;
    }

    public boolean in(int status) {
        return (status & mask()) != 0;
    }

    public static Set<Status> of(int status) {
        EnumSet<Status> s = EnumSet.noneOf(Status.class);
        for (Status f : values()) {
            if (f.in(status)) {
                s.add(f);
            }
        }
        return s;
    }

    public static int toBits(Set<Status> flags) {
        int bits = 0;
        for (Status f : flags) {
            bits |= f.mask();
        }
        return bits;
    }
}
