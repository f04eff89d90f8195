package io.ftpnat.nativ.netlink.conntrack;

/** TCP conntrack states (enum tcp_conntrack), named as conntrack-tools prints them. */
public enum TcpState {
    NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2;

    private static final TcpState[] VALUES = values();

    /** The state for the kernel's number; null for a number this enum does not know. */
    public static TcpState of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }
}
