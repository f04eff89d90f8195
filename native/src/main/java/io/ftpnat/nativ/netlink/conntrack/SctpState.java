package io.ftpnat.nativ.netlink.conntrack;

/** SCTP conntrack states (enum sctp_conntrack), named as conntrack-tools prints them. */
public enum SctpState {
    NONE, CLOSED, COOKIE_WAIT, COOKIE_ECHOED, ESTABLISHED, SHUTDOWN_SENT, SHUTDOWN_RECD, SHUTDOWN_ACK_SENT,
    HEARTBEAT_SENT, HEARTBEAT_ACKED;

    private static final SctpState[] VALUES = values();

    /** The state for the kernel's number; null for a number this enum does not know. */
    public static SctpState of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }
}
