package io.ftpnat.nativ.netlink.conntrack;

/** Kernel names from linux/netfilter/nfnetlink_conntrack.h; package-private on purpose. */
final class Cta {
    // message types (low byte), subsystem CTNETLINK
    static final int IPCTNL_MSG_CT_NEW = 0;
    static final int IPCTNL_MSG_CT_GET = 1;
    static final int IPCTNL_MSG_CT_DELETE = 2;
    // subsystem CTNETLINK_EXP
    static final int IPCTNL_MSG_EXP_NEW = 0;
    static final int IPCTNL_MSG_EXP_GET = 1;
    static final int IPCTNL_MSG_EXP_DELETE = 2;

    // enum ctattr_type
    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_REPLY = 2;
    static final int CTA_STATUS = 3;
    static final int CTA_PROTOINFO = 4;
    static final int CTA_HELP = 5;
    static final int CTA_TIMEOUT = 7;
    static final int CTA_MARK = 8;
    static final int CTA_COUNTERS_ORIG = 9;
    static final int CTA_COUNTERS_REPLY = 10;
    static final int CTA_USE = 11;
    static final int CTA_ID = 12;
    static final int CTA_TUPLE_MASTER = 14;
    static final int CTA_ZONE = 18;
    static final int CTA_TIMESTAMP = 20;
    static final int CTA_MARK_MASK = 21;
    static final int CTA_STATUS_MASK = 26;

    // enum ctattr_tuple
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_TUPLE_ZONE = 3;
    // enum ctattr_ip
    static final int CTA_IP_V4_SRC = 1;
    static final int CTA_IP_V4_DST = 2;
    static final int CTA_IP_V6_SRC = 3;
    static final int CTA_IP_V6_DST = 4;
    // enum ctattr_l4proto
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_SRC_PORT = 2;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int CTA_PROTO_ICMP_ID = 4;
    static final int CTA_PROTO_ICMP_TYPE = 5;
    static final int CTA_PROTO_ICMP_CODE = 6;
    static final int CTA_PROTO_ICMPV6_ID = 7;
    static final int CTA_PROTO_ICMPV6_TYPE = 8;
    static final int CTA_PROTO_ICMPV6_CODE = 9;
    // enum ctattr_protoinfo / ctattr_protoinfo_tcp
    static final int CTA_PROTOINFO_TCP = 1;
    static final int CTA_PROTOINFO_TCP_STATE = 1;
    static final int CTA_PROTOINFO_SCTP = 3;
    static final int CTA_PROTOINFO_SCTP_STATE = 1;
    // enum ctattr_counters
    static final int CTA_COUNTERS_PACKETS = 1;
    static final int CTA_COUNTERS_BYTES = 2;
    static final int CTA_COUNTERS32_PACKETS = 3;
    static final int CTA_COUNTERS32_BYTES = 4;
    // enum ctattr_tstamp
    static final int CTA_TIMESTAMP_START = 1;
    static final int CTA_TIMESTAMP_STOP = 2;
    // enum ctattr_help
    static final int CTA_HELP_NAME = 1;

    // enum ctattr_expect
    static final int CTA_EXPECT_MASTER = 1;
    static final int CTA_EXPECT_TUPLE = 2;
    static final int CTA_EXPECT_MASK = 3;
    static final int CTA_EXPECT_TIMEOUT = 4;
    static final int CTA_EXPECT_ID = 5;
    static final int CTA_EXPECT_HELP_NAME = 6;
    static final int CTA_EXPECT_ZONE = 7;
    static final int CTA_EXPECT_FLAGS = 8;
    static final int CTA_EXPECT_CLASS = 9;
    static final int CTA_EXPECT_NAT = 10;
    static final int CTA_EXPECT_FN = 11;
    // enum ctattr_expect_nat
    static final int CTA_EXPECT_NAT_DIR = 1;
    static final int CTA_EXPECT_NAT_TUPLE = 2;

    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;
    static final int IPPROTO_ICMPV6 = 58;

    private Cta() {
    }
}
