package io.ftpnat.nativ.netlink.conntrack;

/** A connection's direction (enum ip_conntrack_dir): the original one (its initiator's) or the reply. */
public enum Direction {
    ORIGINAL, REPLY;

    public static Direction of(int value) throws io.ftpnat.nativ.netlink.NetlinkDecodeException {
        return switch (value) {
            case 0 -> ORIGINAL;
            case 1 -> REPLY;
            default -> throw new io.ftpnat.nativ.netlink.NetlinkDecodeException("direction " + value);
        };
    }
}
