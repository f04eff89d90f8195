package io.ftpnat.nativ.netlink;

/** Netlink and nfnetlink constants from linux/netlink.h and linux/netfilter/nfnetlink.h. */
public final class Netlink {
    public static final int NLMSG_HDRLEN = 16;
    public static final int NFGENMSG_LEN = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    /** On NLMSG_ERROR: the echoed request was cut to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** On NLMSG_ERROR: extended-ack TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    public static final int NFNL_SUBSYS_CTNETLINK = 1;
    public static final int NFNL_SUBSYS_CTNETLINK_EXP = 2;
    public static final int NFNL_SUBSYS_QUEUE = 3;
    public static final int NFNL_SUBSYS_ULOG = 4;

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private Netlink() {
    }

    public static int align(int len) {
        return (len + 3) & ~3;
    }

    /** nfnetlink message type: subsystem in the high byte, message in the low byte. */
    public static int nfType(int subsys, int msg) {
        return (subsys << 8) | msg;
    }
}
