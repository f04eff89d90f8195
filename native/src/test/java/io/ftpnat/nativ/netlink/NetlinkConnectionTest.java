package io.ftpnat.nativ.netlink;

import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.ack;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.datagram;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.done;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.error;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.errorWithMessage;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.message;
import static io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.nltest.FakeTransport;

/** Connection logic against a fake socket: sequence numbers, ACK/errors, multipart, DUMP_INTR, timeouts. */
class NetlinkConnectionTest {
    private static final int TYPE = Netlink.nfType(1, 1);

    private static byte[] entry(int seq, int flags, int value) {
        return message(0x100, flags | Netlink.NLM_F_MULTI, seq, new byte[] {2, 0, 0, 0, (byte) value, 0, 0, 0});
    }

    @Test
    void executeSendsRequestWithAckAndFreshSequenceNumbers() throws Exception {
        FakeTransport t = new FakeTransport(req -> List.of(ack(seq(req), req)));
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 2, 0);
        c.execute("first", (b, type, flags, p, e) -> { });
        c.request(TYPE, 0, 2, 0);
        c.execute("second", (b, type, flags, p, e) -> { });
        List<byte[]> reqs = t.requests();
        assertThat(reqs).hasSize(2);
        assertThat(FakeTransport.Messages.flags(reqs.get(0))).isEqualTo(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
        assertThat(FakeTransport.Messages.type(reqs.get(0))).isEqualTo(TYPE);
        assertThat(seq(reqs.get(1))).isEqualTo(seq(reqs.get(0)) + 1);
    }

    @Test
    void kernelErrorBecomesExceptionNamingErrnoAndRequest() {
        FakeTransport t = new FakeTransport(req -> List.of(error(seq(req), Errno.EOPNOTSUPP, req)));
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 2, 0);
        assertThatThrownBy(() -> c.execute("create expectation X", (b, type, flags, p, e) -> { }))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("create expectation X: EOPNOTSUPP (95)")
                .satisfies(e -> {
                    assertThat(((NetlinkException) e).errno()).isEqualTo(95);
                    assertThat(((NetlinkException) e).errnoName()).isEqualTo("EOPNOTSUPP");
                    assertThat(((NetlinkException) e).request()).isEqualTo("create expectation X");
                });
    }

    @Test
    void extendedAckTextIsPartOfTheMessage() {
        FakeTransport t = new FakeTransport(req -> List.of(errorWithMessage(seq(req), Errno.EINVAL, req, "bad attr")));
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 2, 0);
        assertThatThrownBy(() -> c.execute("x", (b, type, flags, p, e) -> { }))
                .hasMessage("x [bad attr]: EINVAL (22)");
    }

    @Test
    void repliesToOtherSequenceNumbersAreSkipped() throws Exception {
        FakeTransport t = new FakeTransport(req -> List.of(
                datagram(entry(seq(req) - 1, 0, 9), ack(seq(req) - 1, req)),
                datagram(entry(seq(req), 0, 1), ack(seq(req), req))));
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 2, 0);
        List<Integer> got = new ArrayList<>();
        c.execute("get", (b, type, flags, p, e) -> got.add((int) b.get(p + 4)));
        assertThat(got).containsExactly(1);
    }

    @Test
    void multipartDumpStreamsEveryEntryUntilDone() throws Exception {
        FakeTransport t = new FakeTransport(req -> {
            int s = seq(req);
            return List.of(datagram(entry(s, 0, 1), entry(s, 0, 2)), datagram(entry(s, 0, 3)), datagram(entry(s, 0, 4), done(s)));
        });
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 0, 0);
        List<Integer> got = new ArrayList<>();
        assertThat(c.dump("dump", (b, type, flags, p, e) -> got.add((int) b.get(p + 4)))).isTrue();
        assertThat(got).containsExactly(1, 2, 3, 4);
        assertThat(FakeTransport.Messages.flags(t.requests().get(0))).isEqualTo(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP);
    }

    @Test
    void dumpInterruptedIsReported() throws Exception {
        FakeTransport t = new FakeTransport(req -> {
            int s = seq(req);
            return List.of(datagram(entry(s, Netlink.NLM_F_DUMP_INTR, 1), done(s)));
        });
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 0, 0);
        assertThat(c.dump("dump", (b, type, flags, p, e) -> { })).isFalse();
    }

    @Test
    void doneCarryingAnErrorFailsTheDump() {
        FakeTransport t = new FakeTransport(req -> List.of(message(Netlink.NLMSG_DONE, 2, seq(req), new byte[] {(byte) 0xfc, -1, -1, -1})));
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 0, 0);
        assertThatThrownBy(() -> c.dump("dump conntrack", (b, type, flags, p, e) -> { }))
                .hasMessage("dump conntrack: EINTR (4)");
    }

    @Test
    void noReplyIsABoundedTimeoutNotAHang() {
        NetlinkConnection c = new NetlinkConnection(FakeTransport.silent());
        c.request(TYPE, 0, 0, 0);
        assertThatThrownBy(() -> c.dump("dump", (b, type, flags, p, e) -> { }))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("no reply");
    }

    @Test
    void truncatedMessageIsADecodeError() {
        FakeTransport t = new FakeTransport(req -> {
            byte[] m = entry(seq(req), 0, 1);
            m[0] = (byte) 200; // claims more than the datagram holds
            return List.of(m);
        });
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 0, 0);
        assertThatThrownBy(() -> c.dump("dump", (b, type, flags, p, e) -> { })).isInstanceOf(NetlinkDecodeException.class);
    }

    @Test
    void aConsumerFailingMidDumpLeavesTheSocketUsable() throws Exception {
        FakeTransport t = new FakeTransport(req -> {
            int s = seq(req);
            if (FakeTransport.Messages.flags(req) == (Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)) {
                return List.of(datagram(entry(s, 0, 1)), datagram(entry(s, 0, 2)), datagram(entry(s, 0, 3), done(s)));
            }
            return List.of(ack(s, req));
        });
        NetlinkConnection c = new NetlinkConnection(t);
        c.request(TYPE, 0, 0, 0);
        assertThatThrownBy(() -> c.dump("dump", (b, type, flags, p, e) -> {
            throw new IllegalStateException("consumer failed");
        })).isInstanceOf(IllegalStateException.class);
        // the rest of the dump was read off: the next request sees only its own answer
        c.request(TYPE, 0, 0, 0);
        List<Integer> got = new ArrayList<>();
        c.execute("next", (b, type, flags, p, e) -> got.add(1));
        assertThat(got).isEmpty();
        assertThat(t.receiveQueueIsEmpty()).isTrue();
    }
}
