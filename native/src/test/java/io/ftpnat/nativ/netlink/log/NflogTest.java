package io.ftpnat.nativ.netlink.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.Fixture;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;
import io.ftpnat.nativ.netlink.nltest.FakeTransport.Messages;

/** NFLOG against bytes libpcap (tcpdump -i nflog:7) exchanged with the kernel. */
class NflogTest {
    private static final Fixture F = Fixture.load("nflog-packets");

    @Test
    void bindAndModeRequestsEqualLibpcaps() throws Exception {
        FakeTransport t = new FakeTransport(req -> List.of(Messages.ack(Messages.seq(req), req)));
        try (NflogSocket s = NflogSocket.bind(t, 7, NflogSocket.CopyMode.PACKET, 262144)) {
            assertThat(s.group()).isEqualTo(7);
        }
        List<byte[]> ours = t.requests();
        // libpcap first sends PF_UNBIND/PF_BIND (which current kernels ignore), then BIND and MODE
        assertThat(Fixture.withoutSeq(ours.get(0))).isEqualTo(Fixture.withoutSeq(F.sent().get(2)));
        assertThat(Fixture.withoutSeq(ours.get(1))).isEqualTo(Fixture.withoutSeq(F.sent().get(3)));
        assertThat(ours).hasSize(4); // + immediate-delivery config, + UNBIND on close
        assertThat(ours.get(3)[24]).isEqualTo((byte) 2); // NFULNL_CFG_CMD_UNBIND
    }

    @Test
    void packetsDecodeWithPrefixHookAndPayload() throws Exception {
        FakeTransport t = new FakeTransport(req -> List.of(Messages.ack(Messages.seq(req), req)));
        List<NflogPacket> got = new ArrayList<>();
        try (NflogSocket s = NflogSocket.bind(t, 7, NflogSocket.CopyMode.PACKET, 0xffff)) {
            F.received().stream().filter(d -> Messages.type(d) == 0x400).forEach(t::inject);
            while (s.poll(got::add, 0) >= 0) {
                // drain
            }
        }
        assertThat(got).hasSize(2);
        NflogPacket v4 = got.get(0);
        assertThat(v4.group()).isEqualTo(7);
        assertThat(v4.family()).isEqualTo(2);
        assertThat(v4.hook()).isEqualTo(3); // NF_INET_LOCAL_OUT
        assertThat(v4.prefix()).isEqualTo("ftpnat: ");
        assertThat(v4.payload()[0] >> 4).isEqualTo(4);
        assertThat(new String(v4.payload(), StandardCharsets.ISO_8859_1)).endsWith("PORT 10,0,0,1,4,1\r\n");
        NflogPacket v6 = got.get(1);
        assertThat(v6.family()).isEqualTo(10);
        assertThat(v6.payload()[0] >> 4).isEqualTo(6);
        assertThat(new String(v6.payload(), StandardCharsets.ISO_8859_1)).endsWith("227 Entering Passive Mode (10,0,0,1,4,1)\r\n");
    }

    @Test
    void lossIsReported() throws Exception {
        FakeTransport t = new FakeTransport(req -> List.of(Messages.ack(Messages.seq(req), req)));
        int[] lost = new int[1];
        try (NflogSocket s = NflogSocket.bind(t, 7, NflogSocket.CopyMode.PACKET, 0xffff)) {
            t.injectError(Errno.ENOBUFS);
            assertThat(s.poll(new NflogHandler() {
                @Override
                public void onPacket(NflogPacket packet) {
                }

                @Override
                public void onPacketsLost() {
                    lost[0]++;
                }
            }, 0)).isZero();
            assertThat(s.lostCount()).isEqualTo(1);
        }
        assertThat(lost[0]).isEqualTo(1);
    }
}
