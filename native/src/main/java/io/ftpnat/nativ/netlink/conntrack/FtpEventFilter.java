package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteOrder;

import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.SocketFilter;

/**
 * The kernel-side filter of the daemon's ctnetlink event socket: only what concerns FTP reaches
 * userspace. It is a socket filter (SO_ATTACH_FILTER), run by the kernel on each multicast copy
 * for this socket alone — how conntrack generates events, and what conntrackd or
 * {@code conntrack -E} receive, does not change.
 *
 * <p>A datagram passes when it is
 * <ul>
 *   <li>not a conntrack message (expectation events: all of them, the table is small and only
 *       helpers fill it);</li>
 *   <li>a connection born from an expectation: {@code CTA_STATUS} has {@code IPS_EXPECTED}, or
 *       the message carries {@code CTA_TUPLE_MASTER} (a data connection);</li>
 *   <li>a connection with a helper whose name begins with "ftp" ({@code CTA_HELP /
 *       CTA_HELP_NAME}: "ftp", or "ftp-2121" style names of helpers on other ports);</li>
 *   <li>a message without {@code CTA_HELP} whose status has {@code IPS_HELPER}: DESTROY events
 *       carry neither the helper nor the master (ctnetlink_conntrack_event dumps them only for
 *       other events), the status bit is what remains. nft's {@code ct helper set} sets it.</li>
 * </ul>
 * A conntrack message without {@code CTA_STATUS} (never sent by 6.x kernels) passes, so the
 * filter can only err on the side of delivering. Userspace still checks what it receives
 * (a DESTROY of another helper's connection passes the filter and is ignored by the model).
 *
 * <p>Events a socket of the daemon's own caused (nlmsg_pid, see
 * {@link SocketFilter.Assembler#jumpIfSender}) can be dropped too: the daemon records its own
 * expectations as it creates them, and each such event would wake its monitor for nothing.
 *
 * <p>Each event datagram holds one netlink message (ctnetlink_conntrack_event allocates one skb
 * per event), so attributes are searched from offset 20 (nlmsghdr + nfgenmsg).
 */
public final class FtpEventFilter {
    /** First attribute of the (only) message: after nlmsghdr (16) and nfgenmsg (4). */
    static final int ATTRS = Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
    static final int ACCEPT = -1;
    static final int REJECT = 0;
    /** "ftp" as loaded by BPF: a big-endian half word and a byte. */
    static final int FT = ('f' << 8) | 't';
    static final int P = 'p';

    private FtpEventFilter() {
    }

    /**
     * The program for this host (nlmsg_type and nlmsg_pid are in host byte order). It also drops
     * what the sockets {@code ignoredSenders} caused: the expectations the daemon creates or
     * deletes itself (it records them as it makes them).
     */
    public static SocketFilter program(int... ignoredSenders) {
        return program(ByteOrder.nativeOrder(), ignoredSenders);
    }

    /** The program for a host of the given byte order (tests build both). */
    public static SocketFilter program(ByteOrder hostOrder, int... ignoredSenders) {
        // nlmsg_type is a host-order u16 at offset 4; its high byte is the nfnetlink subsystem
        int subsysOffset = hostOrder == ByteOrder.LITTLE_ENDIAN ? 5 : 4;
        return new SocketFilter.Assembler()
                .jumpIfSender(hostOrder, ignoredSenders, "reject")
                .loadAbsolute(SocketFilter.BPF_B, subsysOffset)
                .jumpIfEqual(Netlink.NFNL_SUBSYS_CTNETLINK, null, "accept")
                // status: always present in conntrack events
                .loadImmediate(ATTRS).loadXImmediate(Cta.CTA_STATUS).findAttribute()
                .jumpIfEqual(0, "accept", null)
                .tax().loadIndirect(SocketFilter.BPF_W, 4)
                .jumpIfAnySet(Status.EXPECTED.mask(), "accept", null)
                .loadImmediate(ATTRS).loadXImmediate(Cta.CTA_TUPLE_MASTER).findAttribute()
                .jumpIfEqual(0, null, "accept")
                // a helper named in the message decides; without one the status bit does (DESTROY)
                .loadImmediate(ATTRS).loadXImmediate(Cta.CTA_HELP).findAttribute()
                .jumpIfEqual(0, "statusOnly", null)
                .loadXImmediate(Cta.CTA_HELP_NAME).findNestedAttribute()
                .jumpIfEqual(0, "reject", null)
                .tax().loadIndirect(SocketFilter.BPF_H, 4)
                .jumpIfEqual(FT, null, "reject")
                .loadIndirect(SocketFilter.BPF_B, 6)
                .jumpIfEqual(P, "accept", "reject")
                .label("statusOnly")
                .loadImmediate(ATTRS).loadXImmediate(Cta.CTA_STATUS).findAttribute()
                .tax().loadIndirect(SocketFilter.BPF_W, 4)
                .jumpIfAnySet(Status.HELPER.mask(), "accept", "reject")
                .label("reject").ret(REJECT)
                .label("accept").ret(ACCEPT)
                .build();
    }
}
