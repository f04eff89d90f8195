package io.ftpnat.fuzz;

import io.ftpnat.kernel.SessionKernel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import io.ftpnat.session.SessionSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Campaign "observer" (docs/security-fuzz.md): the NFLOG copies of one FTP control connection, as
 * the session model receives them ({@link SessionModel#onPacket}), for a control connection the
 * (fake) kernel tracks with the ftp helper. Packets are synthesized with valid IPv4/IPv6 and TCP
 * headers around fuzzer-chosen payloads, directions, sequence numbers (in order, retransmitted,
 * ahead, anywhere), flags and copy lengths (cut at a snaplen); some arrive before the conntrack
 * entry (held early), some go to {@link SessionModel#onConnectAttempt}; a reconcile ends each input.
 *
 * <p>Input: {@link Segments}, each segment's bytes being [tcp flags | sequence mode << 6][aux][extra]
 * then the payload. Configuration byte: bit 0 IPv6, bits 1-2 none/SNAT/DNAT/both, bit 3 the
 * conntrack entry comes after the first two packets.
 *
 * <p>Invariants: no exception; every expectation the daemon creates (and every one the kernel
 * holds at the end) is on the control connection as master, for a port of 1024 or above, towards
 * the control connection's own peers (the client or, natted, the router's address for it; the
 * server's address the client used) — a destination elsewhere only when the kernel translates it
 * to the server (a followed advertised address); an active-mode (server → client) expectation is
 * created by the daemon only on a connection without NAT (LPRT: the helper would rewrite PORT/EPRT
 * itself); the session's view stays bounded (64 lines, 32 channels, 16 notes, 1 MiB of text).
 */
public class ObserverFuzzTest {
    private static final CampaignReport REPORT = new CampaignReport();
    private static final int CLIENT_PORT = 40000;

    @FuzzTest
    void packets(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerInitialize() {
        CampaignReport.quietLogs();
    }

    public static void fuzzerTearDown() {
        REPORT.print();
    }

    /** The kernel verbs, recording what the daemon asked to create. */
    private static final class Recording implements SessionKernel {
        final NetlinkSessionKernel kernel;
        final List<Expectation> created = new ArrayList<>();

        Recording(FakeConntrackKernel fake) {
            kernel = new NetlinkSessionKernel(() -> new ConntrackClient(fake.transport()));
        }

        @Override
        public void dumpConntrack(DumpConsumer<Conntrack> consumer) throws NetlinkException {
            kernel.dumpConntrack(consumer);
        }

        @Override
        public void dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException {
            kernel.dumpExpectations(consumer);
        }

        @Override
        public void createExpectation(Expectation e) throws NetlinkException {
            created.add(e);
            kernel.createExpectation(e);
        }

        @Override
        public void deleteExpectation(Tuple expected) throws NetlinkException {
            kernel.deleteExpectation(expected);
        }
    }

    public static void fuzzerTestOneInput(byte[] input) {
        Segments s = new Segments(input);
        int config = s.config();
        boolean v6 = (config & 1) != 0;
        boolean snat = (config & 2) != 0;
        boolean dnat = (config & 4) != 0;
        boolean late = (config & 8) != 0;
        IpAddress client = IpAddress.parse(v6 ? "2001:db8:a::2" : "10.10.10.2");
        IpAddress published = IpAddress.parse(v6 ? "2001:db8:a::1" : "10.10.10.1");
        IpAddress server = IpAddress.parse(v6 ? "2001:db8:b::115" : "192.168.10.115");
        IpAddress router = IpAddress.parse(v6 ? "2001:db8:b::114" : "192.168.10.114");
        Tuple orig = Tuple.of(Tuple.TCP, client, CLIENT_PORT, dnat ? published : server, 21);
        Tuple reply = Tuple.of(Tuple.TCP, server, 21, snat ? router : client, CLIENT_PORT);
        int status = Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | (snat ? Status.SRC_NAT.mask() : 0)
                | (dnat ? Status.DST_NAT.mask() : 0);
        FakeConntrackKernel fake = new FakeConntrackKernel();
        Conntrack control = fake.add(new Conntrack(v6 ? 10 : 2, orig, reply, status, TcpState.ESTABLISHED, 300, 0, 0, "ftp", null,
                null, null, -1, 1));
        Recording kernel = new Recording(fake);
        SessionModel model = new SessionModel(kernel, new RepairPlanner(RepairPlanner.FIRST_UNPRIVILEGED_PORT),
                (c, a, port, seconds) -> { });
        if (!late) {
            model.onConntrack(control);
        }
        long[] next = {1000, 500000}; // next sequence number: client, server
        int n = 0;
        while (s.next()) {
            if (late && n == 2) {
                model.onConntrack(control);
            }
            n++;
            packet(model, s, v6, client, server, next);
        }
        if (late && n < 2) {
            model.onConntrack(control);
        }
        try {
            model.reconcile(false, false, true);
        } catch (NetlinkException e) {
            throw new AssertionError("the fake kernel refused a dump: " + e, e);
        }
        for (Expectation e : kernel.created) {
            checkExpectation("created", e, control, router, snat || dnat);
        }
        for (Expectation e : fake.expectations()) {
            checkExpectation("held", e, control, router, snat || dnat);
        }
        SessionSnapshot view = model.session(Long.toString(control.id())).orElseThrow(() -> new AssertionError("session lost"));
        int size = view.toString().length();
        REPORT.max("session view characters", size);
        REPORT.max("expectations created per input", kernel.created.size());
        AlgFuzzTest.require(size <= 1 << 20, "session view of " + size + " characters");
        AlgFuzzTest.require(view.dialogue().size() <= 64 && view.channels().size() <= 32
                && view.diagnosis().size() <= 2 + 32 + 16, "session lists beyond their bounds: " + view.dialogue().size() + " lines, "
                + view.channels().size() + " channels, " + view.diagnosis().size() + " diagnoses");
    }

    private static void checkExpectation(String how, Expectation e, Conntrack control, IpAddress router, boolean natted) {
        Tuple orig = control.original();
        IpAddress client = orig.src();
        IpAddress server = control.reply().src();
        Tuple t = e.tuple();
        AlgFuzzTest.require(orig.equals(e.master()), how + " expectation on another master: " + e);
        AlgFuzzTest.require(t.dstPort() >= 1024, how + " expectation for a privileged port: " + e);
        if (t.src().equals(server)) { // active: the server connects to the client (through the router's address when natted)
            AlgFuzzTest.require(t.dst().equals(client) || (natted && t.dst().equals(control.reply().dst())),
                    how + " active expectation beyond the client: " + e);
            if (how.equals("created")) {
                AlgFuzzTest.require(!natted, "the daemon created an active-mode expectation on a natted connection: " + e);
                REPORT.max("active-mode expectations created by the daemon (LPRT, no NAT) in one input", 1);
            }
        } else {
            AlgFuzzTest.require(t.src().equals(client), how + " expectation from a third party: " + e);
            boolean peer = t.dst().equals(orig.dst());
            boolean followed = e.nat() != null && e.nat().address().equals(server);
            AlgFuzzTest.require(peer || followed, how + " passive expectation beyond the server: " + e);
        }
    }

    /** One synthesized copy: [flags | seq mode << 6][aux][extra] payload. */
    private static void packet(SessionModel model, Segments s, boolean v6, IpAddress client, IpAddress server, long[] next) {
        byte[] d = s.data();
        int at = s.offset();
        int len = s.length();
        int ctl = len > 0 ? d[at] & 0xff : 0x18;
        int aux = len > 1 ? d[at + 1] & 0xff : 0;
        int extra = len > 2 ? d[at + 2] & 0xff : 0;
        int skip = Math.min(3, len);
        byte[] payload = java.util.Arrays.copyOfRange(d, at + skip, at + len);
        boolean fromClient = !s.fromSecond();
        int dir = fromClient ? 0 : 1;
        long seq = switch (ctl >>> 6) {
            case 0 -> next[dir];
            case 1 -> next[dir] - aux;          // retransmission / overlap
            case 2 -> next[dir] + aux + 1;       // ahead: a hole
            default -> (long) aux << 24 | (long) extra << 8 | aux; // anywhere (wraps too)
        };
        if ((ctl >>> 6) == 0 || (ctl >>> 6) == 1) {
            next[dir] = Math.max(next[dir], seq + payload.length);
        }
        IpAddress src = fromClient ? client : server;
        IpAddress dst = fromClient ? server : client;
        int sport = fromClient ? CLIENT_PORT : 21;
        int dport = fromClient ? 21 : CLIENT_PORT;
        if ((extra & 2) != 0) {
            sport += 1; // a connection the model does not know: held early, then dropped
        }
        byte[] p = tcp(v6, src, sport, dst, dport, seq & 0xffffffffL, ctl & 0x3f, payload);
        if ((extra & 1) != 0) {
            p = java.util.Arrays.copyOf(p, Math.max(1, p.length - 1 - (aux % (payload.length + 1)))); // cut at a snaplen
        }
        if ((extra & 4) != 0) {
            model.onConnectAttempt(p);
        } else {
            model.onPacket(p, -1);
        }
    }

    /** An IPv4 (20-byte header) or IPv6 (40) packet with a 20-byte TCP header, lengths and checksums as on the wire (checksums zero). */
    static byte[] tcp(boolean v6, IpAddress src, int sport, IpAddress dst, int dport, long seq, int flags, byte[] payload) {
        int ip = v6 ? 40 : 20;
        ByteBuffer b = ByteBuffer.allocate(ip + 20 + payload.length);
        if (v6) {
            b.putInt(0x60000000).putShort((short) (20 + payload.length)).put((byte) 6).put((byte) 64);
            b.putLong(src.hi()).putLong(src.lo()).putLong(dst.hi()).putLong(dst.lo());
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 20 + payload.length)).putShort((short) 1).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 6).putShort((short) 0).putInt((int) src.lo()).putInt((int) dst.lo());
        }
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(1).put((byte) (5 << 4)).put((byte) flags)
                .putShort((short) 64000).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return b.array();
    }
}
