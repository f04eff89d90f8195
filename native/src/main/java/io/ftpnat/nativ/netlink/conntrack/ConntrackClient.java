package io.ftpnat.nativ.netlink.conntrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * The conntrack and expectation tables over ctnetlink: dump (streaming), get, delete, update mark;
 * dump, get, create and delete expectations. Needs CAP_NET_ADMIN.
 *
 * <p>Not thread-safe: one thread uses a client at a time (open one per thread, they are cheap).
 * Each call waits at most {@link NetlinkConnection#timeoutMillis()} for each reply datagram.
 */
public final class ConntrackClient implements AutoCloseable {
    private static final int MAX_DUMP_ATTEMPTS = 4;
    private static final int CT = Netlink.NFNL_SUBSYS_CTNETLINK;
    private static final int EXP = Netlink.NFNL_SUBSYS_CTNETLINK_EXP;

    private final NetlinkConnection conn;

    public ConntrackClient(NetlinkTransport transport) {
        this.conn = new NetlinkConnection(transport);
    }

    /** This socket's netlink port id: the nlmsg_pid of the events its requests cause. */
    public int portId() {
        return conn.transport().portId();
    }

    /** A client in the calling thread's network namespace. */
    public static ConntrackClient open() throws NetlinkException {
        return new ConntrackClient(KernelTransport.open(KernelTransport.NETLINK_NETFILTER));
    }

    /** A client whose socket lives in {@code ns} (usable from any thread afterwards). */
    public static ConntrackClient open(NetworkNamespace ns) throws NetlinkException {
        return new ConntrackClient(ns.openNetlink(KernelTransport.NETLINK_NETFILTER));
    }

    public NetlinkConnection connection() {
        return conn;
    }

    // ---- conntrack ----

    /**
     * Streams every entry matching {@code filter} to {@code consumer}; returns how many it got.
     * Retries when the kernel reports the dump as interrupted (consumer.restart() first).
     */
    public long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        try {
            return dump(filter, true, consumer);
        } catch (NetlinkException e) {
            // a kernel without CTA_FILTER (before 5.8) refuses it: filter on our side alone
            if (filter.original() != null && filter.original().flags(filter.family()) != 0
                    && (e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP)) {
                return dump(filter, false, consumer);
            }
            throw e;
        }
    }

    private long dump(ConntrackFilter filter, boolean tupleFilter, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        long[] count = new long[1];
        for (int attempt = 1; ; attempt++) {
            MessageWriter w = conn.request(Netlink.nfType(CT, Cta.IPCTNL_MSG_CT_GET), 0, filter.family(), 0);
            if (tupleFilter && filter.original() != null) {
                filter.original().encode(w, filter.family());
            }
            if (filter.markMask() != 0) {
                w.be32(Cta.CTA_MARK, filter.mark());
                w.be32(Cta.CTA_MARK_MASK, filter.markMask());
            }
            if (filter.zone() >= 0) {
                w.be16(Cta.CTA_ZONE, filter.zone());
            }
            if (filter.statusMask() != 0) {
                w.be32(Cta.CTA_STATUS, filter.status());
                w.be32(Cta.CTA_STATUS_MASK, filter.statusMask());
            }
            count[0] = 0;
            boolean intact = conn.dump("dump conntrack " + filter, (b, type, flags, payload, end) -> {
                Conntrack ct = Conntrack.decode(b, payload, end);
                if (filter.matches(ct)) {
                    count[0]++;
                    consumer.accept(ct);
                }
            });
            if (intact) {
                return count[0];
            }
            if (attempt == MAX_DUMP_ATTEMPTS) {
                throw new NetlinkException("dump conntrack " + filter, "interrupted by table changes " + attempt + " times");
            }
            consumer.restart();
        }
    }

    /** All matching entries as a list (convenience for small tables). */
    public List<Conntrack> list(ConntrackFilter filter) throws NetlinkException {
        List<Conntrack> out = new ArrayList<>();
        dump(filter, DumpConsumer.into(out));
        return out;
    }

    /** The entry with this tuple (original or reply direction) in {@code zone}; empty when there is none. */
    public Optional<Conntrack> get(Tuple tuple, int zone) throws NetlinkException {
        MessageWriter w = conn.request(Netlink.nfType(CT, Cta.IPCTNL_MSG_CT_GET), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, tuple);
        if (zone != 0) {
            w.be16(Cta.CTA_ZONE, zone);
        }
        Conntrack[] found = new Conntrack[1];
        try {
            conn.execute("get conntrack " + tuple, (b, type, flags, payload, end) -> found[0] = Conntrack.decode(b, payload, end));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    public Optional<Conntrack> get(Tuple tuple) throws NetlinkException {
        return get(tuple, 0);
    }

    /** Deletes the entry with this tuple; ENOENT (as a {@link NetlinkException}) when there is none. */
    public void delete(Tuple tuple, int zone) throws NetlinkException {
        MessageWriter w = conn.request(Netlink.nfType(CT, Cta.IPCTNL_MSG_CT_DELETE), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, tuple);
        if (zone != 0) {
            w.be16(Cta.CTA_ZONE, zone);
        }
        conn.execute("delete conntrack " + tuple, NO_DATA);
    }

    /** Sets the mark of the entry with this tuple. */
    public void updateMark(Tuple tuple, int zone, int mark) throws NetlinkException {
        MessageWriter w = conn.request(Netlink.nfType(CT, Cta.IPCTNL_MSG_CT_NEW), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, tuple);
        w.be32(Cta.CTA_MARK, mark);
        if (zone != 0) {
            w.be16(Cta.CTA_ZONE, zone);
        }
        conn.execute("set mark " + Integer.toUnsignedString(mark) + " on conntrack " + tuple, NO_DATA);
    }

    // ---- expectations ----

    /** Streams all expectations of {@code family} (0 = both) to {@code consumer}. */
    public long dumpExpectations(int family, DumpConsumer<Expectation> consumer) throws NetlinkException {
        long[] count = new long[1];
        for (int attempt = 1; ; attempt++) {
            conn.request(Netlink.nfType(EXP, Cta.IPCTNL_MSG_EXP_GET), 0, family, 0);
            count[0] = 0;
            boolean intact = conn.dump("dump expectations", (b, type, flags, payload, end) -> {
                count[0]++;
                consumer.accept(Expectation.decode(b, payload, end));
            });
            if (intact) {
                return count[0];
            }
            if (attempt == MAX_DUMP_ATTEMPTS) {
                throw new NetlinkException("dump expectations", "interrupted by table changes " + attempt + " times");
            }
            consumer.restart();
        }
    }

    public List<Expectation> listExpectations() throws NetlinkException {
        List<Expectation> out = new ArrayList<>();
        dumpExpectations(0, DumpConsumer.into(out));
        return out;
    }

    /** The expectation whose expected tuple is {@code tuple}; empty when there is none. */
    public Optional<Expectation> getExpectation(Tuple tuple, int zone) throws NetlinkException {
        MessageWriter w = conn.request(Netlink.nfType(EXP, Cta.IPCTNL_MSG_EXP_GET), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_EXPECT_TUPLE, tuple);
        if (zone != 0) {
            w.be16(Cta.CTA_EXPECT_ZONE, zone);
        }
        Expectation[] found = new Expectation[1];
        try {
            conn.execute("get expectation " + tuple, (b, type, flags, payload, end) -> found[0] = Expectation.decode(b, payload, end));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    /**
     * Creates an expectation (NLM_F_CREATE|NLM_F_EXCL). The kernel requires: the master to exist
     * (ENOENT), the master to have a helper attached (EOPNOTSUPP), no equal expectation (EEXIST),
     * a known expectfn name (EINVAL). Beware: a helper's max_expected (1 for ftp) makes a new
     * expectation evict the master's oldest one.
     */
    public void createExpectation(Expectation e) throws NetlinkException {
        e.validateForCreate();
        MessageWriter w = conn.request(Netlink.nfType(EXP, Cta.IPCTNL_MSG_EXP_NEW),
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, e.family(), 0);
        e.encodeCreate(w);
        conn.execute("create " + e, NO_DATA);
    }

    /** Deletes the expectation whose expected tuple is {@code tuple}. */
    public void deleteExpectation(Tuple tuple, int zone) throws NetlinkException {
        MessageWriter w = conn.request(Netlink.nfType(EXP, Cta.IPCTNL_MSG_EXP_DELETE), 0, tuple.family(), 0);
        Tuple.encode(w, Cta.CTA_EXPECT_TUPLE, tuple); // never send a delete without a tuple: that flushes the table
        if (zone != 0) {
            w.be16(Cta.CTA_EXPECT_ZONE, zone);
        }
        conn.execute("delete expectation " + tuple, NO_DATA);
    }

    private static final io.ftpnat.nativ.netlink.MessageHandler NO_DATA = (b, type, flags, payload, end) -> { };

    @Override
    public void close() {
        conn.close();
    }
}
