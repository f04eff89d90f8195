package io.ftpnat.nativ.netlink.conntrack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;
import io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages;

/**
 * An in-memory conntrack + expectation table that answers ctnetlink requests the way kernel 6.18
 * does, for tests of code built on {@link ConntrackClient}, {@link ConntrackEvents} and
 * {@link ConntrackMonitor} — without root or a kernel. Its rules are checked against the real
 * kernel by {@code FakeKernelContractTest} (the same scenarios run on both):
 * <ul>
 * <li>get/delete/update-mark find an entry by its original or reply tuple in a zone; ENOENT otherwise;</li>
 * <li>dumps filter by family, zone, mark/mask;</li>
 * <li>creating an expectation needs an existing master (ENOENT) that has a helper (EOPNOTSUPP), a
 *     known expectfn (EINVAL: only {@code nat-follow-master}), a new tuple (EEXIST); it evicts the
 *     master's older expectation (ftp's max_expected is 1); the timeout is the helper's (300 s),
 *     the helper name is the master's;</li>
 * <li>{@link #connect} plays a new connection: if an expectation matches it (under its mask) the
 *     expectation is consumed and the entry gets the master and {@link Status#EXPECTED};</li>
 * <li>deleting a master removes its expectations;</li>
 * <li>every change is multicast to {@link #subscribe() subscribed} fake sockets as the kernel's
 *     events (NEW/UPDATE/DESTROY, EXP_NEW/EXP_DESTROY), to the groups they joined.</li>
 * </ul>
 * Thread-safe (one lock).
 */
public final class FakeConntrackKernel implements FakeTransport.Responder {
    private static final int EXPECT_TIMEOUT = 300;
    private final Map<Key, Conntrack> table = new LinkedHashMap<>();
    private final Map<Key, Expectation> expectations = new LinkedHashMap<>();
    private final List<FakeTransport> listeners = new CopyOnWriteArrayList<>();
    private long nextId = 1000;

    private record Key(Tuple tuple, int zone) {
    }

    /** A fake socket answered by this kernel: {@code new ConntrackClient(kernel.transport())}. */
    public FakeTransport transport() {
        return new FakeTransport(this);
    }

    /** A fake socket that receives this kernel's events: {@code ConntrackEvents.subscribe(kernel.subscribe(), groups, 0)}. */
    public FakeTransport subscribe() {
        FakeTransport t = new FakeTransport(req -> List.of());
        listeners.add(t);
        return t;
    }

    /**
     * Adds an entry (it gets an id if it has none) and multicasts NEW. An entry with a helper gets
     * IPS_HELPER, as nft's {@code ct helper set} gives it.
     */
    public synchronized Conntrack add(Conntrack ct) {
        int status = ct.helper() != null ? ct.status() | Status.HELPER.mask() : ct.status();
        Conntrack c = ct.id() >= 0 && status == ct.status() ? ct : new Conntrack(ct.family(), ct.original(), ct.reply(), status, ct.tcpState(),
                ct.timeout(), ct.mark(), ct.zone(), ct.helper(), ct.master(), ct.originalCounters(), ct.replyCounters(),
                ct.id() >= 0 ? ct.id() : nextId++, ct.use());
        table.put(new Key(c.original(), c.zone()), c);
        publishConntrack(c, Cta.IPCTNL_MSG_CT_NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 1);
        return c;
    }

    public synchronized List<Conntrack> entries() {
        return List.copyOf(table.values());
    }

    public synchronized List<Expectation> expectations() {
        return List.copyOf(expectations.values());
    }

    /** Lets {@code seconds} pass for the expectations: their remaining timeout counts down, as the kernel's does. */
    public synchronized void ageExpectations(int seconds) {
        expectations.replaceAll((k, e) -> new Expectation(e.family(), e.master(), e.tuple(), e.mask(), Math.max(0, e.timeout() - seconds),
                e.id(), e.helper(), e.zone(), e.flags(), e.expectClass(), e.nat(), e.function()));
    }

    /**
     * A new connection with original tuple {@code original} arrives in zone 0: consumes a matching
     * expectation (the entry then has the master and {@link Status#EXPECTED}) and adds the entry.
     */
    public synchronized Conntrack connect(Tuple original) {
        Expectation used = null;
        for (Expectation e : expectations.values()) {
            if (matches(e, original)) {
                used = e;
                break;
            }
        }
        int status = Status.CONFIRMED.mask();
        Tuple master = null;
        if (used != null) {
            removeExpectation(used);
            status |= Status.EXPECTED.mask();
            master = used.master();
        }
        return add(new Conntrack(original.family(), original, original.reversed(), status,
                original.protocol() == Tuple.TCP ? TcpState.SYN_SENT : null, 120, 0, 0, null, master, null, null, -1, 1));
    }

    /** nf_ct_tuple_mask_cmp: destination exact, source under the mask. */
    static boolean matches(Expectation e, Tuple t) {
        Tuple x = e.tuple();
        Tuple m = e.mask();
        if (x.protocol() != t.protocol() || !x.dst().equals(t.dst()) || x.dstPort() != t.dstPort()
                || x.src().v6() != t.src().v6()) {
            return false;
        }
        IpAddress ms = m.src();
        boolean addr = ((x.src().hi() ^ t.src().hi()) & ms.hi()) == 0 && ((x.src().lo() ^ t.src().lo()) & ms.lo()) == 0;
        return addr && ((x.srcPort() ^ t.srcPort()) & m.srcPort()) == 0;
    }

    // ---- request handling ----

    @Override
    public synchronized List<byte[]> reply(byte[] req) throws NetlinkDecodeException {
        ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.nativeOrder());
        int type = Messages.type(req);
        int flags = Messages.flags(req);
        int seq = Messages.seq(req);
        int family = req[16] & 0xff;
        Map<Integer, int[]> attrs = new LinkedHashMap<>();
        for (int p = Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN; p < req.length; ) {
            int len = Attrs.length(b, p, req.length);
            attrs.put(Attrs.type(b, p), new int[] {p, len});
            p = Attrs.next(p, len);
        }
        boolean dump = (flags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        int subsys = type >> 8;
        int msg = type & 0xff;
        try {
            if (subsys == Netlink.NFNL_SUBSYS_CTNETLINK) {
                return conntrack(b, req, msg, flags, seq, family, attrs, dump);
            }
            if (subsys == Netlink.NFNL_SUBSYS_CTNETLINK_EXP) {
                return expectation(b, req, msg, flags, seq, family, attrs, dump);
            }
            return List.of(Messages.error(seq, Errno.EOPNOTSUPP, req));
        } catch (Refusal e) {
            return List.of(Messages.error(seq, e.errno, req));
        }
    }

    /** An errno answer of the fake kernel (internal). */
    private static final class Refusal extends Exception {
        final int errno;

        Refusal(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    private static int be16(ByteBuffer b, int[] a) throws NetlinkDecodeException {
        return Attrs.be16(b, a[0], a[1]);
    }

    private static int be32(ByteBuffer b, int[] a) throws NetlinkDecodeException {
        return Attrs.be32(b, a[0], a[1]);
    }

    private Optional<Conntrack> find(Tuple t, int zone) {
        Conntrack c = table.get(new Key(t, zone));
        if (c != null) {
            return Optional.of(c);
        }
        return table.values().stream().filter(x -> x.zone() == zone && x.reply().equals(t)).findFirst();
    }

    private List<byte[]> conntrack(ByteBuffer b, byte[] req, int msg, int flags, int seq, int family, Map<Integer, int[]> attrs,
                                   boolean dump) throws NetlinkDecodeException, Refusal {
        int zone = attrs.containsKey(Cta.CTA_ZONE) ? be16(b, attrs.get(Cta.CTA_ZONE)) : 0;
        if (msg == Cta.IPCTNL_MSG_CT_GET && dump) {
            boolean byZone = attrs.containsKey(Cta.CTA_ZONE);
            boolean byMark = attrs.containsKey(Cta.CTA_MARK);
            int mark = byMark ? be32(b, attrs.get(Cta.CTA_MARK)) : 0;
            int mask = attrs.containsKey(Cta.CTA_MARK_MASK) ? be32(b, attrs.get(Cta.CTA_MARK_MASK)) : 0xffffffff;
            // ctnetlink_filter_match since 6.0: (ct->status & status_mask) == status
            boolean byStatus = attrs.containsKey(Cta.CTA_STATUS_MASK) && attrs.containsKey(Cta.CTA_STATUS);
            int status = byStatus ? be32(b, attrs.get(Cta.CTA_STATUS)) : 0;
            int statusMask = byStatus ? be32(b, attrs.get(Cta.CTA_STATUS_MASK)) : 0;
            List<byte[]> out = new ArrayList<>();
            for (Conntrack c : table.values()) {
                if ((family == 0 || c.family() == family) && (!byZone || c.zone() == zone)
                        && (!byMark || (c.mark() & mask) == (mark & mask))
                        && (!byStatus || (c.status() & statusMask) == status)) {
                    out.add(message(Cta.IPCTNL_MSG_CT_NEW, Netlink.NLM_F_MULTI, seq, c));
                }
            }
            out.add(Messages.done(seq));
            return out;
        }
        int[] t = attrs.get(Cta.CTA_TUPLE_ORIG);
        if (t == null) {
            t = attrs.get(Cta.CTA_TUPLE_REPLY);
        }
        if (t == null) {
            throw new Refusal(Errno.EINVAL);
        }
        Conntrack c = find(Tuple.decode(b, t[0], t[1]), zone).orElseThrow(() -> new Refusal(Errno.ENOENT));
        switch (msg) {
            case Cta.IPCTNL_MSG_CT_GET:
                return List.of(message(Cta.IPCTNL_MSG_CT_NEW, 0, seq, c), Messages.ack(seq, req));
            case Cta.IPCTNL_MSG_CT_DELETE:
                table.remove(new Key(c.original(), c.zone()));
                for (Expectation e : List.copyOf(expectations.values())) {
                    if (e.master().equals(c.original())) {
                        removeExpectation(e);
                    }
                }
                publishConntrack(c, Cta.IPCTNL_MSG_CT_DELETE, 0, 3);
                return List.of(Messages.ack(seq, req));
            case Cta.IPCTNL_MSG_CT_NEW:
                if ((flags & Netlink.NLM_F_EXCL) != 0) {
                    throw new Refusal(Errno.EEXIST);
                }
                if (attrs.containsKey(Cta.CTA_MARK)) {
                    c = c.withMark(be32(b, attrs.get(Cta.CTA_MARK)));
                    table.put(new Key(c.original(), c.zone()), c);
                    publishConntrack(c, Cta.IPCTNL_MSG_CT_NEW, 0, 2);
                }
                return List.of(Messages.ack(seq, req));
            default:
                throw new Refusal(Errno.EOPNOTSUPP);
        }
    }

    private List<byte[]> expectation(ByteBuffer b, byte[] req, int msg, int flags, int seq, int family, Map<Integer, int[]> attrs,
                                     boolean dump) throws NetlinkDecodeException, Refusal {
        int zone = attrs.containsKey(Cta.CTA_EXPECT_ZONE) ? be16(b, attrs.get(Cta.CTA_EXPECT_ZONE)) : 0;
        if (msg == Cta.IPCTNL_MSG_EXP_GET && dump) {
            List<byte[]> out = new ArrayList<>();
            for (Expectation e : expectations.values()) {
                if (family == 0 || e.family() == family) {
                    out.add(message(Cta.IPCTNL_MSG_EXP_NEW, Netlink.NLM_F_MULTI, seq, e));
                }
            }
            out.add(Messages.done(seq));
            return out;
        }
        if (msg == Cta.IPCTNL_MSG_EXP_NEW) {
            Expectation e = Expectation.decode(b, Netlink.NLMSG_HDRLEN, req.length);
            if (e.master() == null || e.mask() == null) {
                throw new Refusal(Errno.EINVAL);
            }
            Conntrack master = find(e.master(), zone).orElseThrow(() -> new Refusal(Errno.ENOENT));
            if (master.helper() == null) {
                throw new Refusal(Errno.EOPNOTSUPP);
            }
            if (e.function() != null && !e.function().equals(Expectation.NAT_FOLLOW_MASTER)) {
                throw new Refusal(Errno.EINVAL);
            }
            Key key = new Key(e.tuple(), zone);
            if (expectations.containsKey(key)) {
                throw new Refusal((flags & Netlink.NLM_F_EXCL) != 0 ? Errno.EEXIST : Errno.EOPNOTSUPP);
            }
            if ((flags & Netlink.NLM_F_CREATE) == 0) {
                throw new Refusal(Errno.ENOENT);
            }
            for (Expectation old : List.copyOf(expectations.values())) {
                if (old.master().equals(master.original())) {
                    removeExpectation(old); // max_expected = 1 (ftp)
                }
            }
            Expectation stored = new Expectation(e.family(), master.original(), e.tuple(), e.mask(), EXPECT_TIMEOUT, nextId++,
                    master.helper(), zone, e.flags() & ~Expectation.USERSPACE, e.expectClass(), e.nat(), e.function());
            expectations.put(key, stored);
            publishExpectation(stored, Cta.IPCTNL_MSG_EXP_NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 4);
            return List.of(Messages.ack(seq, req));
        }
        int[] t = attrs.get(Cta.CTA_EXPECT_TUPLE);
        if (t == null) {
            throw new Refusal(Errno.EINVAL); // the fake refuses flushes
        }
        Expectation e = expectations.get(new Key(Tuple.decode(b, t[0], t[1]), zone));
        if (e == null) {
            throw new Refusal(Errno.ENOENT);
        }
        if (msg == Cta.IPCTNL_MSG_EXP_GET) {
            return List.of(message(Cta.IPCTNL_MSG_EXP_NEW, 0, seq, e), Messages.ack(seq, req));
        }
        if (msg == Cta.IPCTNL_MSG_EXP_DELETE) {
            removeExpectation(e);
            return List.of(Messages.ack(seq, req));
        }
        throw new Refusal(Errno.EOPNOTSUPP);
    }

    private void removeExpectation(Expectation e) {
        expectations.values().remove(e);
        publishExpectation(e, Cta.IPCTNL_MSG_EXP_DELETE, 0, 6);
    }

    // ---- encoding ----

    private static byte[] message(int msg, int flags, int seq, Conntrack c) {
        MessageWriter w = new MessageWriter(1024);
        w.begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, msg), flags, c.family(), 0);
        c.encode(w);
        return w.toBytes(seq);
    }

    private static byte[] message(int msg, int flags, int seq, Expectation e) {
        MessageWriter w = new MessageWriter(1024);
        w.begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK_EXP, msg), flags, e.family(), 0);
        e.encodeFull(w);
        return w.toBytes(seq);
    }

    private void publishConntrack(Conntrack c, int msg, int flags, int group) {
        publish(message(msg, flags, 0, c), group);
    }

    private void publishExpectation(Expectation e, int msg, int flags, int group) {
        publish(message(msg, flags, 0, e), group);
    }

    private void publish(byte[] datagram, int group) {
        for (FakeTransport t : listeners) {
            if (t.isClosed()) {
                listeners.remove(t);
            } else if (t.groups().contains(group)) {
                t.inject(datagram);
            }
        }
    }
}
