package io.ftpnat.nativ.netlink.nftables;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import java.nio.ByteBuffer;

/**
 * Watches one nftables table through nf_tables' own notifications (multicast group
 * NFNLGRP_NFTABLES): tells when a committed transaction left the table deleted. A transaction's
 * notifications arrive in order and end with NFT_MSG_NEWGEN, so a table that one transaction
 * deletes and defines again (ftpnatd's own atomic swap: "delete table; table { … }") is not
 * reported; "nft flush ruleset" (the first line of nftables.service's configuration) is.
 *
 * <p>Threading: one thread calls {@link #poll}. Losses (ENOBUFS) are reported as
 * {@link Listener#lost()}: the caller then checks the table itself.
 */
public final class TableEvents implements AutoCloseable {
    /** NFNLGRP_NFTABLES (linux/netfilter/nfnetlink.h). */
    static final int NFNLGRP_NFTABLES = 7;
    static final int NFT_MSG_NEWTABLE = 0;
    static final int NFT_MSG_DELTABLE = 2;
    static final int NFT_MSG_NEWGEN = 15;
    /** Kernel 6.3+: "nft destroy table"; notified as such on some kernels. */
    static final int NFT_MSG_DESTROYTABLE = 26;
    static final int NFTA_TABLE_NAME = 1;
    static final int NFTA_GEN_PROC_PID = 2;
    static final int NFTA_GEN_PROC_NAME = 3;

    /** What the watcher is told. */
    public interface Listener {
        /** A committed transaction deleted the table and did not define it again; {@code by} names the process (pid and comm). */
        void tableDeleted(String by);

        /** The kernel dropped notifications for this socket: the table may be gone unnoticed. */
        void lost();
    }

    private final NetlinkConnection conn;
    private final int family;
    private final String table;
    /** The current transaction deleted the table and has not (yet) defined it again. */
    private boolean deletedInTransaction;

    TableEvents(NetlinkTransport transport, int family, String table) throws NetlinkException {
        this.conn = new NetlinkConnection(transport, 256 * 1024);
        this.family = family;
        this.table = NfTables.checkName("table", table);
        try {
            // a "flush ruleset" of a big firewall notifies every rule and set it removes
            transport.setReceiveBufferSize(1 << 20);
            transport.joinGroup(NFNLGRP_NFTABLES);
        } catch (NetlinkException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** Watches table {@code inet <table>} in the calling thread's network namespace. */
    public static TableEvents inet(String table) throws NetlinkException {
        return new TableEvents(KernelTransport.open(KernelTransport.NETLINK_NETFILTER), NfTables.NFPROTO_INET, table);
    }

    /** Watches with a socket of the caller's choosing (a fake in tests, one opened in a namespace). */
    public static TableEvents inet(NetlinkTransport transport, String table) throws NetlinkException {
        return new TableEvents(transport, NfTables.NFPROTO_INET, table);
    }

    /**
     * Drops, in the kernel, the notifications of transactions the sockets {@code portIds} made
     * (the caller's own element writer: they never delete a table, and each would wake this
     * watcher for nothing). Replaces the previous list; returns whether the kernel took it.
     * Safe only for sockets that stay open while listed: a closed socket's port id can be taken by
     * another process, whose "flush ruleset" would then go unseen.
     */
    public boolean ignoreSenders(int... portIds) throws NetlinkException {
        return conn.transport().attachFilter(io.ftpnat.nativ.netlink.SocketFilter.ignoringSenders(java.nio.ByteOrder.nativeOrder(), portIds));
    }

    /**
     * Receives one datagram (waiting at most {@code timeoutMillis}) and reports what it means for
     * the table. Returns the number of messages read, -1 on timeout.
     */
    public int poll(int timeoutMillis, Listener listener) throws NetlinkException {
        try {
            return conn.receiveUnsolicited(timeoutMillis, (b, type, flags, payload, end) -> onMessage(b, type, payload, end, listener));
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOBUFS) {
                throw e;
            }
            deletedInTransaction = false;
            listener.lost();
            return 0;
        }
    }

    /** One notification; package-private for tests on fixture bytes. */
    void onMessage(ByteBuffer b, int type, int payload, int end, Listener listener) throws NetlinkException {
        if (type >> 8 != NfTables.NFNL_SUBSYS_NFTABLES || end - payload < 4) {
            return;
        }
        int msg = type & 0xff;
        int msgFamily = b.get(payload) & 0xff;
        int attrs = payload + 4;
        switch (msg) {
            case NFT_MSG_DELTABLE, NFT_MSG_DESTROYTABLE -> {
                if (msgFamily == family && names(b, attrs, end)) {
                    deletedInTransaction = true;
                }
            }
            case NFT_MSG_NEWTABLE -> {
                if (msgFamily == family && names(b, attrs, end)) {
                    deletedInTransaction = false;
                }
            }
            case NFT_MSG_NEWGEN -> {
                if (deletedInTransaction) {
                    deletedInTransaction = false;
                    listener.tableDeleted(process(b, attrs, end));
                }
            }
            default -> { }
        }
    }

    private boolean names(ByteBuffer b, int p, int end) throws NetlinkException {
        while (p < end) {
            int len = Attrs.length(b, p, end);
            if (Attrs.type(b, p) == NFTA_TABLE_NAME) {
                return Attrs.stringEquals(b, p, len, table);
            }
            p = Attrs.next(p, len);
        }
        return false;
    }

    /** "pid 1234 (nft)" from NEWGEN's NFTA_GEN_PROC_PID/NAME (kernel 5.x+), or "an unknown process". */
    private static String process(ByteBuffer b, int p, int end) throws NetlinkException {
        int pid = -1;
        String name = null;
        while (p < end) {
            int len = Attrs.length(b, p, end);
            int t = Attrs.type(b, p);
            if (t == NFTA_GEN_PROC_PID) {
                pid = Attrs.be32(b, p, len);
            } else if (t == NFTA_GEN_PROC_NAME) {
                // the kernel's comm: at most 16 bytes; only printable ASCII reaches the log
                name = Attrs.string(b, p, len).codePoints().limit(16)
                        .map(c -> c >= 0x21 && c < 0x7f ? c : '?')
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            }
            p = Attrs.next(p, len);
        }
        if (pid < 0) {
            return "an unknown process";
        }
        return "pid " + pid + (name == null ? "" : " (" + name + ")");
    }

    @Override
    public void close() {
        conn.close();
    }
}
