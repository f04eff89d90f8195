package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.Fixture;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;

/**
 * Bytes captured from conntrack-tools talking to kernel 6.18 in a namespace
 * (src/test/resources/netlink/capture.sh): our requests must equal what conntrack sent (sequence
 * number aside) and the kernel's replies must decode to what conntrack printed.
 */
class GoldenBytesTest {

    static List<Conntrack> decodeAll(List<byte[]> datagrams) throws NetlinkException {
        List<Conntrack> out = new ArrayList<>();
        for (byte[] d : datagrams) {
            ByteBuffer b = Fixture.direct(d);
            NetlinkConnection.forEachMessage(b, d.length, (buf, type, flags, p, e) -> {
                if (type >> 8 == Netlink.NFNL_SUBSYS_CTNETLINK) {
                    out.add(Conntrack.decode(buf, p, e));
                }
            });
        }
        return out;
    }

    private static Conntrack find(List<Conntrack> all, Tuple orig) {
        return all.stream().filter(c -> c.original().equals(orig)).findFirst().orElseThrow(() -> new AssertionError("no " + orig));
    }

    @Test
    void dumpReplyDecodesToWhatConntrackPrinted() throws Exception {
        List<Conntrack> all = decodeAll(Fixture.load("ct-dump").received());
        assertThat(all).hasSizeGreaterThanOrEqualTo(9);

        Conntrack ftpCtl = find(all, Tuple.tcp("10.1.0.1", 40000, "10.2.0.1", 21));
        assertThat(ftpCtl.tcpState()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(ftpCtl.statusFlags()).contains(Status.SEEN_REPLY, Status.ASSURED, Status.CONFIRMED);
        assertThat(ftpCtl.mark()).isEqualTo(8); // -U -m 8 in capture.sh
        assertThat(ftpCtl.reply()).isEqualTo(Tuple.tcp("10.2.0.1", 21, "10.1.0.1", 40000));
        assertThat(ftpCtl.timeout()).isBetween(290, 300);
        assertThat(ftpCtl.use()).isEqualTo(1);
        assertThat(ftpCtl.id()).isPositive();

        Conntrack nat = find(all, Tuple.tcp("10.1.0.5", 40002, "198.51.100.1", 21));
        assertThat(nat.reply()).isEqualTo(Tuple.tcp("198.51.100.1", 21, "192.0.2.7", 40002));

        Conntrack udp = find(all, Tuple.udp("10.1.0.2", 5000, "10.2.0.1", 53));
        assertThat(udp.mark()).isEqualTo(0x10007);
        assertThat(udp.tcpState()).isNull();
        assertThat(udp.has(Status.SEEN_REPLY)).isFalse();

        Conntrack icmp = find(all, Tuple.icmp(IpAddress.parse("10.1.0.3"), IpAddress.parse("10.2.0.9"), 8, 0, 77));
        assertThat(icmp.reply()).isEqualTo(Tuple.icmp(IpAddress.parse("10.2.0.9"), IpAddress.parse("10.1.0.3"), 0, 0, 77));

        Conntrack zoned = find(all, Tuple.tcp("10.1.0.4", 40001, "10.2.0.1", 80));
        assertThat(zoned.zone()).isEqualTo(5);
        assertThat(zoned.tcpState()).isEqualTo(TcpState.SYN_SENT);

        Conntrack v6 = find(all, Tuple.tcp("fd00::1", 1234, "fd00::2", 80));
        assertThat(v6.family()).isEqualTo(Netlink.AF_INET6);
        assertThat(v6.zone()).isEqualTo(3);
        Conntrack icmp6 = find(all, Tuple.icmp(IpAddress.parse("fd00::1"), IpAddress.parse("fd00::3"), 128, 0, 9));
        assertThat(icmp6.reply().icmpType()).isEqualTo(129);

        // the FTP control connection of capture.sh, with the kernel helper attached by nft
        Conntrack master = all.stream().filter(c -> c.original().dstPort() == 21 && c.original().src().equals(IpAddress.parse("192.0.2.1")))
                .findFirst().orElseThrow();
        assertThat(master.helper()).isEqualTo("ftp");
        assertThat(master.has(Status.HELPER)).isTrue(); // set when a helper is assigned explicitly (nft ct helper)
    }

    @Test
    void dumpRequestsAreByteIdenticalToConntrackTools() {
        assertThat(Fixture.withoutSeq(dumpRequest(ConntrackFilter.all())))
                .isEqualTo(Fixture.withoutSeq(Fixture.load("ct-dump").sent().get(0)));
        assertThat(Fixture.withoutSeq(dumpRequest(ConntrackFilter.all().ipv6())))
                .isEqualTo(Fixture.withoutSeq(Fixture.load("ct-dump-ipv6").sent().get(0)));
        assertThat(Fixture.withoutSeq(dumpRequest(ConntrackFilter.all().mark(7))))
                .isEqualTo(Fixture.withoutSeq(Fixture.load("ct-dump-mark").sent().get(0)));
    }

    private static byte[] dumpRequest(ConntrackFilter f) {
        FakeTransport t = new FakeTransport(req -> List.of(FakeTransport.Messages.done(FakeTransport.Messages.seq(req))));
        try (ConntrackClient c = new ConntrackClient(t)) {
            c.dump(f, ct -> { });
        } catch (NetlinkException e) {
            throw new AssertionError(e);
        }
        return t.requests().get(0);
    }

    @Test
    void getRequestEqualsConntrackToolsUpToItsTcpFlagsAttribute() throws Exception {
        byte[] theirs = Fixture.load("ct-get").sent().get(0);
        // conntrack -G also sends CTA_PROTOINFO (TCP flags, 24 bytes) that a lookup ignores; cut it
        byte[] trimmed = java.util.Arrays.copyOf(theirs, theirs.length - 24);
        ByteBuffer.wrap(trimmed).order(java.nio.ByteOrder.nativeOrder()).putInt(0, trimmed.length);

        // conntrack stopped reading after the entry; the kernel's ACK that follows is not in the capture
        FakeTransport t = new FakeTransport(req -> List.of(
                FakeTransport.Messages.withSeq(Fixture.load("ct-get").received().get(0), FakeTransport.Messages.seq(req)),
                FakeTransport.Messages.ack(FakeTransport.Messages.seq(req), req)));
        try (ConntrackClient c = new ConntrackClient(t)) {
            Optional<Conntrack> got = c.get(Tuple.tcp("10.1.0.5", 40002, "198.51.100.1", 21));
            assertThat(got).hasValueSatisfying(ct -> assertThat(ct.reply().dst()).isEqualTo(IpAddress.parse("192.0.2.7")));
        }
        assertThat(Fixture.withoutSeq(t.requests().get(0))).isEqualTo(Fixture.withoutSeq(trimmed));
    }

    @Test
    void getOfAMissingTupleIsEmptyFromTheKernelsEnoent() throws Exception {
        Fixture f = Fixture.load("ct-get-missing");
        assertThat(f.received().get(0)).satisfies(d -> assertThat(FakeTransport.Messages.type(d)).isEqualTo(Netlink.NLMSG_ERROR));
        try (ConntrackClient c = new ConntrackClient(FakeTransport.replaying(f.received()))) {
            assertThat(c.get(Tuple.tcp("10.9.9.9", 1, "10.2.0.1", 21))).isEmpty();
        }
        try (ConntrackClient c = new ConntrackClient(FakeTransport.replaying(f.received()))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.delete(Tuple.tcp("10.9.9.9", 1, "10.2.0.1", 21), 0))
                    .isInstanceOf(NetlinkException.class)
                    .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT));
        }
    }

    @Test
    void expectationDumpDecodesTheFtpHelpersExpectation() throws Exception {
        Fixture f = Fixture.load("exp-dump");
        List<Expectation> all = new ArrayList<>();
        try (ConntrackClient c = new ConntrackClient(FakeTransport.replaying(f.received()))) {
            c.dumpExpectations(Netlink.AF_INET, all::add); // conntrack -L expect asks for IPv4 only (0 = both)
            assertThat(Fixture.withoutSeq(c.connection().transport() instanceof FakeTransport ft ? ft.requests().get(0) : null))
                    .isEqualTo(Fixture.withoutSeq(f.sent().get(0)));
        }
        assertThat(all).singleElement().satisfies(e -> {
            assertThat(e.family()).isEqualTo(Netlink.AF_INET);
            assertThat(e.tuple().src()).isEqualTo(IpAddress.parse("192.0.2.2"));
            assertThat(e.tuple().dst()).isEqualTo(IpAddress.parse("192.0.2.1"));
            assertThat(e.tuple().srcPort()).isZero();
            assertThat(e.tuple().dstPort()).isEqualTo(40010);
            assertThat(e.mask().src()).isEqualTo(IpAddress.V4_HOST_MASK);
            assertThat(e.mask().srcPort()).isZero();
            assertThat(e.mask().dstPort()).isEqualTo(0xffff);
            assertThat(e.master().dstPort()).isEqualTo(21);
            assertThat(e.master().src()).isEqualTo(IpAddress.parse("192.0.2.1"));
            assertThat(e.helper()).isEqualTo("ftp");
            assertThat(e.timeout()).isBetween(1, 300);
            assertThat(e.flags()).isZero();
            assertThat(e.expectClass()).isZero();
            assertThat(e.nat()).isNull();
            assertThat(e.id()).isPositive();
        });
    }

    @Test
    void eventsDecodeAsNewUpdateDestroy() throws Exception {
        Fixture f = Fixture.load("ct-events");
        FakeTransport t = FakeTransport.silent();
        f.received().forEach(t::inject);
        List<ConntrackEvent> events = new ArrayList<>();
        try (ConntrackEvents ev = ConntrackEvents.subscribe(t, ConntrackEvents.ALL, 1 << 20)) {
            while (ev.poll(events::add, 0) >= 0) {
                // drain
            }
        }
        assertThat(t.groups()).containsExactlyInAnyOrder(1, 2, 3, 4, 6);
        long news = events.stream().filter(e -> e.type() == ConntrackEvent.Type.NEW).count();
        assertThat(news).isGreaterThanOrEqualTo(9); // 8 from -R, 1 from -I, the FTP control connection
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(ConntrackEvent.Type.UPDATE);
            assertThat(e.conntrack().mark()).isEqualTo(8);
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(ConntrackEvent.Type.DESTROY);
            assertThat(e.conntrack().original()).isEqualTo(Tuple.udp("10.1.0.2", 5000, "10.2.0.1", 53));
        });
    }

    @Test
    void expectationEventsDecode() throws Exception {
        Fixture f = Fixture.load("exp-events");
        FakeTransport t = FakeTransport.silent();
        f.received().forEach(t::inject);
        List<ExpectationEvent> events = new ArrayList<>();
        try (ConntrackEvents ev = ConntrackEvents.subscribe(t, ConntrackEvents.ALL, 0)) {
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent event) {
                }

                @Override
                public void onExpectation(ExpectationEvent event) {
                    events.add(event);
                }
            };
            while (ev.poll(h, 0) >= 0) {
                // drain
            }
        }
        // on loopback the helper sees the PORT twice (output and input): NEW, DESTROY (replaced), NEW
        assertThat(events).extracting(ExpectationEvent::type)
                .containsExactly(ExpectationEvent.Type.NEW, ExpectationEvent.Type.DESTROY, ExpectationEvent.Type.NEW);
        assertThat(events.get(0).expectation().tuple().dstPort()).isEqualTo(40010);
    }

    @Test
    void lostEventsAreReportedExplicitly() throws Exception {
        FakeTransport t = FakeTransport.silent();
        t.injectError(Errno.ENOBUFS);
        Fixture.load("ct-events").received().stream().limit(1).forEach(t::inject);
        List<String> seen = new ArrayList<>();
        try (ConntrackEvents ev = ConntrackEvents.subscribe(t, ConntrackEvents.ALL, 0)) {
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent event) {
                    seen.add(event.type().name());
                }

                @Override
                public void onEventsLost() {
                    seen.add("LOST");
                }
            };
            assertThat(ev.poll(h, 0)).isEqualTo(1); // the queued event is delivered before the loss report
            assertThat(ev.poll(h, 0)).isEqualTo(-1);
            assertThat(ev.lostCount()).isEqualTo(1);
        }
        assertThat(seen).containsExactly("NEW", "LOST");
    }

    @Test
    void requestWriterProducesAlignedNestedAttributes() {
        MessageWriter w = new MessageWriter(256);
        w.begin(Netlink.nfType(1, 1), Netlink.NLM_F_REQUEST, 2, 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, Tuple.tcp("10.1.0.5", 40002, "198.51.100.1", 21));
        byte[] ours = w.toBytes(0);
        byte[] theirs = Fixture.load("ct-get").sent().get(0);
        // same tuple bytes as conntrack -G (after the 20-byte nlmsghdr+nfgenmsg)
        assertThat(java.util.Arrays.copyOfRange(ours, 20, ours.length))
                .isEqualTo(java.util.Arrays.copyOfRange(theirs, 20, 20 + 52));
    }

    private static byte[] sentOfType(Fixture f, int type) {
        return f.sent().stream().filter(m -> FakeTransport.Messages.type(m) == type).findFirst().orElseThrow();
    }

    private static FakeTransport acking() {
        return new FakeTransport(req -> List.of(FakeTransport.Messages.ack(FakeTransport.Messages.seq(req), req)));
    }

    @Test
    void updateMarkEqualsConntrackToolsUpdateUpToItsTcpFlagsAttribute() throws Exception {
        byte[] theirs = sentOfType(Fixture.load("ct-update-mark"), Netlink.nfType(1, Cta.IPCTNL_MSG_CT_NEW));
        byte[] trimmed = java.util.Arrays.copyOf(theirs, theirs.length - 24); // minus CTA_PROTOINFO (TCP flags)
        ByteBuffer.wrap(trimmed).order(java.nio.ByteOrder.nativeOrder()).putInt(0, trimmed.length);
        FakeTransport t = acking();
        try (ConntrackClient c = new ConntrackClient(t)) {
            c.updateMark(Tuple.tcp("10.1.0.1", 40000, "10.2.0.1", 21), 0, 9);
        }
        assertThat(Fixture.withoutSeq(t.requests().get(0))).isEqualTo(Fixture.withoutSeq(trimmed));
    }

    @Test
    void deleteSendsTheSameHeaderAndOriginalTupleAsConntrackTools() throws Exception {
        byte[] theirs = sentOfType(Fixture.load("ct-delete"), Netlink.nfType(1, Cta.IPCTNL_MSG_CT_DELETE));
        FakeTransport t = acking();
        try (ConntrackClient c = new ConntrackClient(t)) {
            c.delete(Tuple.tcp("10.1.0.4", 40001, "10.2.0.1", 80), 5);
        }
        byte[] ours = t.requests().get(0);
        // conntrack-tools sends the whole entry back; the kernel needs one tuple (+ zone). Same
        // type, flags (REQUEST|ACK), family and CTA_TUPLE_ORIG bytes:
        assertThat(java.util.Arrays.copyOfRange(ours, 4, 8)).isEqualTo(java.util.Arrays.copyOfRange(theirs, 4, 8));
        assertThat(java.util.Arrays.copyOfRange(ours, 16, 20 + 52)).isEqualTo(java.util.Arrays.copyOfRange(theirs, 16, 20 + 52));
        // ...and a CTA_ZONE 5 that conntrack also sends
        byte[] zone = {6, 0, 18, 0, 0, 5, 0, 0}; // nla_len 6 (be16), padded to 8
        assertThat(java.util.Arrays.copyOfRange(ours, 72, 80)).isEqualTo(zone);
        assertThat(indexOf(theirs, zone)).isPositive();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void anInterruptedDumpIsRestartedAndTheConsumerToldSo() throws Exception {
        List<byte[]> reply = Fixture.load("ct-dump").received();
        int[] calls = new int[1];
        FakeTransport t = new FakeTransport(req -> {
            int seq = FakeTransport.Messages.seq(req);
            List<byte[]> out = new ArrayList<>();
            for (byte[] d : reply) {
                byte[] m = FakeTransport.Messages.withSeq(d, seq);
                if (calls[0] == 0) { // first attempt: the kernel flags NLM_F_DUMP_INTR on the data
                    ByteBuffer b = ByteBuffer.wrap(m).order(java.nio.ByteOrder.nativeOrder());
                    b.putShort(6, (short) (b.getShort(6) | Netlink.NLM_F_DUMP_INTR));
                }
                out.add(m);
            }
            calls[0]++;
            return out;
        });
        List<Conntrack> got = new ArrayList<>();
        int[] restarts = new int[1];
        try (ConntrackClient c = new ConntrackClient(t)) {
            long n = c.dump(ConntrackFilter.all(), new DumpConsumer<>() {
                @Override
                public void accept(Conntrack ct) {
                    got.add(ct);
                }

                @Override
                public void restart() {
                    restarts[0]++;
                    got.clear();
                }
            });
            assertThat(n).isEqualTo(got.size());
        }
        assertThat(restarts[0]).isEqualTo(1);
        assertThat(t.requests()).hasSize(2);
        assertThat(got).hasSize(decodeAll(reply).size());
    }

    @Test
    void unknownAttributesAreSkippedNotFatal() throws Exception {
        byte[] real = Fixture.load("ct-get").received().get(0);
        Conntrack plain = decodeAll(List.of(real)).get(0);
        // append an unknown top-level attribute (type 99, 6 bytes) and an unknown nested one (type 0x8064)
        byte[] extra = {10, 0, 99, 0, 1, 2, 3, 4, 5, 6, 0, 0, 12, 0, 100, (byte) 0x80, 8, 0, 1, 0, 9, 9, 9, 9};
        int len = ByteBuffer.wrap(real).order(java.nio.ByteOrder.nativeOrder()).getInt(0);
        byte[] grown = java.util.Arrays.copyOf(real, len + extra.length);
        System.arraycopy(extra, 0, grown, len, extra.length);
        ByteBuffer.wrap(grown).order(java.nio.ByteOrder.nativeOrder()).putInt(0, grown.length);
        assertThat(decodeAll(List.of(grown))).containsExactly(plain);
    }
}
