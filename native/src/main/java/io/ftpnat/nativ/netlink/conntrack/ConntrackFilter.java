package io.ftpnat.nativ.netlink.conntrack;

/**
 * Which entries a dump returns. The kernel filters (nfgenmsg family, CTA_ZONE, CTA_MARK with
 * CTA_MARK_MASK, CTA_STATUS with CTA_STATUS_MASK — the latter since Linux 6.0) and
 * {@link #matches} checks again on our side, so the result is exact whatever the kernel version
 * supports.
 *
 * @param family     AF_INET (2), AF_INET6 (10), or 0 for both
 * @param zone       conntrack zone, or -1 for any
 * @param mark       wanted mark value (compared under {@code markMask})
 * @param markMask   0 = do not filter by mark
 * @param status     wanted status bits (compared under {@code statusMask})
 * @param statusMask 0 = do not filter by status
 * @param original   fields of the original tuple (CTA_FILTER, Linux 5.8+, when the family is
 *                   known), or null
 */
public record ConntrackFilter(int family, int zone, int mark, int markMask, int status, int statusMask,
                              TupleFilter original) {
    public static final ConntrackFilter ALL = new ConntrackFilter(0, -1, 0, 0, 0, 0, null);

    public ConntrackFilter(int family, int zone, int mark, int markMask) {
        this(family, zone, mark, markMask, 0, 0, null);
    }

    public ConntrackFilter(int family, int zone, int mark, int markMask, int status, int statusMask) {
        this(family, zone, mark, markMask, status, statusMask, null);
    }

    /** Only entries whose original tuple matches (the kernel filters when the family is given). */
    public ConntrackFilter original(TupleFilter t) {
        return new ConntrackFilter(family, zone, mark, markMask, status, statusMask, t);
    }

    public static ConntrackFilter all() {
        return ALL;
    }

    public ConntrackFilter family(int af) {
        return new ConntrackFilter(af, zone, mark, markMask, status, statusMask, original);
    }

    public ConntrackFilter ipv4() {
        return family(2);
    }

    public ConntrackFilter ipv6() {
        return family(10);
    }

    public ConntrackFilter zone(int z) {
        return new ConntrackFilter(family, z, mark, markMask, status, statusMask, original);
    }

    public ConntrackFilter mark(int value) {
        return mark(value, 0xffffffff);
    }

    public ConntrackFilter mark(int value, int mask) {
        return new ConntrackFilter(family, zone, value & mask, mask, status, statusMask, original);
    }

    /** Only entries whose status bits under {@code mask} equal {@code value}. */
    public ConntrackFilter status(int value, int mask) {
        return new ConntrackFilter(family, zone, mark, markMask, value & mask, mask, original);
    }

    /** Only entries with this status bit set (e.g. {@link Status#HELPER}, {@link Status#EXPECTED}). */
    public ConntrackFilter with(Status bit) {
        return status(status | bit.mask(), statusMask | bit.mask());
    }

    public boolean matches(Conntrack ct) {
        return (family == 0 || ct.family() == family)
                && (zone < 0 || ct.zone() == zone)
                && (markMask == 0 || (ct.mark() & markMask) == mark)
                && (statusMask == 0 || (ct.status() & statusMask) == status)
                && (original == null || original.matches(ct.original()));
    }
}
