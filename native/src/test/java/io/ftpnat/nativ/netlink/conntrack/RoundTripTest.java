package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import io.ftpnat.nativ.netlink.Attrs;
import io.ftpnat.nativ.netlink.Fixture;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Everything we encode decodes back to the same value. */
class RoundTripTest {

    @Provide
    Arbitrary<IpAddress> v4() {
        return Arbitraries.integers().map(IpAddress::v4);
    }

    @Provide
    Arbitrary<IpAddress> v6() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(IpAddress::v6);
    }

    @Provide
    Arbitrary<Tuple> tuples() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<Integer> u8 = Arbitraries.integers().between(0, 255);
        Arbitrary<Tuple> v4ports = Combinators.combine(v4(), v4(), Arbitraries.of(6, 17, 132, 33, 136), port, port)
                .as((s, d, p, sp, dp) -> Tuple.of(p, s, sp, d, dp));
        Arbitrary<Tuple> v6ports = Combinators.combine(v6(), v6(), Arbitraries.of(6, 17), port, port)
                .as((s, d, p, sp, dp) -> Tuple.of(p, s, sp, d, dp));
        Arbitrary<Tuple> icmp4 = Combinators.combine(v4(), v4(), u8, u8, port).as(Tuple::icmp);
        Arbitrary<Tuple> icmp6 = Combinators.combine(v6(), v6(), u8, u8, port).as(Tuple::icmp);
        return Arbitraries.oneOf(v4ports, v6ports, icmp4, icmp6);
    }

    static Tuple roundTrip(Tuple t) throws NetlinkDecodeException {
        MessageWriter w = new MessageWriter(512);
        w.begin(0x101, 1, t.family(), 0);
        Tuple.encode(w, Cta.CTA_TUPLE_ORIG, t);
        byte[] bytes = w.toBytes(1);
        ByteBuffer b = Fixture.direct(bytes);
        int at = Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
        int len = Attrs.length(b, at, bytes.length);
        assertThat(at + Netlink.align(len)).isEqualTo(bytes.length);
        return Tuple.decode(b, at, len);
    }

    @Property(tries = 500, seed = "20261201")
    void tuplesRoundTrip(@ForAll("tuples") Tuple t) throws Exception {
        assertThat(roundTrip(t)).isEqualTo(t);
    }

    @Property(tries = 300, seed = "20261201")
    void ipv6TextRoundTrips(@ForAll("v6") IpAddress a) {
        assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
        assertThat(a.toString()).isEqualTo(a.toString().toLowerCase());
        assertThat(IpAddress.of(a.toInetAddress())).isEqualTo(a);
    }

    @Example
    void ipv6TextIsCompressedLikeConntrackPrintsIt() {
        assertThat(IpAddress.parse("fd00:0:0:1::2").toString()).isEqualTo("fd00:0:0:1::2");
        assertThat(IpAddress.parse("fd00::1").toString()).isEqualTo("fd00::1");
        assertThat(IpAddress.parse("::").toString()).isEqualTo("::");
        assertThat(IpAddress.parse("1:0:0:1:0:0:0:1").toString()).isEqualTo("1:0:0:1::1");
        assertThat(IpAddress.parse("10.20.30.40").toString()).isEqualTo("10.20.30.40");
        assertThatThrownBy(() -> IpAddress.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300, seed = "20261201")
    void expectationCreateMessagesRoundTrip(@ForAll("tuples") Tuple master, @ForAll("tuples") Tuple any,
                                            @ForAll boolean withNat, @ForAll boolean withHelper) throws Exception {
        Tuple expected = new Tuple(master.dst(), master.src(), Tuple.TCP, 0, any.dstPort(), 0, 0, 0);
        Tuple masterTcp = new Tuple(master.src(), master.dst(), Tuple.TCP, master.srcPort(), 21, 0, 0, 0);
        Expectation e = Expectation.create(masterTcp, expected, 300).withZone(any.srcPort() % 3).withFlags(any.srcPort() % 2);
        if (withHelper) {
            e = e.withHelper("ftp").withClass(any.dstPort() % 2);
        }
        if (withNat) {
            e = e.withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, master.src(), any.srcPort()));
        }
        MessageWriter w = new MessageWriter(1024);
        w.begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK_EXP, Cta.IPCTNL_MSG_EXP_NEW), 0x605, e.family(), 0);
        e.encodeCreate(w);
        byte[] bytes = w.toBytes(7);
        Expectation back = Expectation.decode(Fixture.direct(bytes), Netlink.NLMSG_HDRLEN, bytes.length);
        assertThat(back).isEqualTo(e);
        if (withNat) {
            assertThat(back.function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
            assertThat(back.nat().address()).isEqualTo(master.src());
        }
    }

    @Example
    void anIncompleteExpectationIsRefusedBeforeSending() {
        Tuple m = Tuple.tcp("10.0.0.1", 1000, "10.0.0.2", 21);
        Expectation noMask = Expectation.create(m, Tuple.tcp("10.0.0.2", 0, "10.0.0.1", 2000), 60).withMask(null);
        assertThatThrownBy(noMask::validateForCreate).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs master, tuple and mask");
        assertThatThrownBy(() -> Tuple.of(6, IpAddress.parse("10.0.0.1"), 1, IpAddress.parse("fd00::1"), 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<Conntrack> conntracks() {
        Arbitrary<Counters> counters = Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs().greaterOrEqual(0))
                .as(Counters::new).injectNull(0.5);
        Arbitrary<TcpState> state = Arbitraries.of(TcpState.class).injectNull(0.3);
        Arbitrary<String> helper = Arbitraries.of("ftp", "sip", "tftp").injectNull(0.5);
        Arbitrary<Tuple> master = tuples().injectNull(0.6);
        return Combinators.combine(tuples(), Arbitraries.integers(), state, Arbitraries.integers().between(-1, 1_000_000),
                Arbitraries.integers(), Arbitraries.integers().between(0, 65535), helper, master)
                .flatAs((t, status, st, timeout, mark, zone, h, m) -> Combinators.combine(counters, counters,
                        Arbitraries.longs().between(-1, 0xffffffffL), Arbitraries.integers().between(0, 100))
                        .as((co, cr, id, use) -> new Conntrack(t.family(), t, t.reversed(), status, st, timeout, mark, zone, h,
                                m == null || m.family() == t.family() ? m : null, co, cr, id, use)));
    }

    @Property(tries = 300, seed = "20261201")
    void conntrackEntriesRoundTrip(@ForAll("conntracks") Conntrack ct) throws Exception {
        MessageWriter w = new MessageWriter(1024);
        w.begin(0x100, 2, ct.family(), 0);
        ct.encode(w);
        byte[] bytes = w.toBytes(1);
        assertThat(Conntrack.decode(Fixture.direct(bytes), Netlink.NLMSG_HDRLEN, bytes.length)).isEqualTo(ct);
    }
}
