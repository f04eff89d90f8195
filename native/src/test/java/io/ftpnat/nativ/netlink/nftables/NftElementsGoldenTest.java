package io.ftpnat.nativ.netlink.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Fixture;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;

/**
 * Our batches against the bytes nft 1.0.6 (libnftables 1.0.6, libnftnl 1.2.4) sent for the same
 * element commands: native/src/test/resources/netlink/nft-*.txt, captured with strace by
 * scripts/experiments/capture-nft-elements.sh. {@link BatchDatagrams#normalised} says what is
 * normalised (sequence numbers, port ids, NLM_F_ACK, nft's set id); the rest is compared byte for
 * byte: headers, flags, nfgenmsg, attribute order, register padding of the concatenations.
 */
class NftElementsGoldenTest {
    private static final IpAddress CLIENT4 = IpAddress.parse("10.10.10.2");
    private static final IpAddress SERVER4 = IpAddress.parse("192.168.10.115");
    private static final IpAddress SNAT4 = IpAddress.parse("192.168.10.1");
    private static final IpAddress CLIENT6 = IpAddress.parse("fd00:10::2");
    private static final IpAddress SERVER6 = IpAddress.parse("fd00:192:168:10::115");
    private static final IpAddress SNAT6 = IpAddress.parse("fd00:192:168:10::1");
    private static final Duration T30 = Duration.ofSeconds(30);

    private static ElementBatch batch() {
        return ElementBatch.forTable("ftpnat");
    }

    /** The datagram our writer sends for {@code b} (a fake kernel acknowledges every operation). */
    private static byte[] sent(ElementBatch b) throws Exception {
        FakeTransport t = BatchDatagrams.kernel(i -> 0);
        try (NftElements w = new NftElements(t)) {
            w.apply(b);
        }
        assertThat(t.requests()).hasSize(1);
        return t.requests().get(0);
    }

    private static void assertSameAsNft(String fixture, ElementBatch b) throws Exception {
        List<byte[]> nft = Fixture.load(fixture).sent();
        assertThat(nft).as(fixture).hasSize(1);
        byte[] ours = sent(b);
        String set = b.operations().get(0).element().set();
        assertThat(BatchDatagrams.normalised(nft.get(0))).as("the fixture holds the element message")
                .contains(java.util.HexFormat.of().formatHex(set.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(BatchDatagrams.normalised(ours)).as(fixture).isEqualTo(BatchDatagrams.normalised(nft.get(0)));
        List<byte[]> ms = BatchDatagrams.messages(ours);
        assertThat(ms).hasSize(b.size() + 2);
        // begin and end ask for nothing; every operation asks for its ACK
        assertThat(BatchDatagrams.flags(ms.get(0))).isEqualTo(Netlink.NLM_F_REQUEST);
        assertThat(BatchDatagrams.flags(ms.get(ms.size() - 1))).isEqualTo(Netlink.NLM_F_REQUEST);
        for (int i = 1; i < ms.size() - 1; i++) {
            assertThat(BatchDatagrams.flags(ms.get(i)) & Netlink.NLM_F_ACK).isNotZero();
        }
        // one sequence number each, increasing
        for (int i = 1; i < ms.size(); i++) {
            assertThat(FakeTransport.Messages.seq(ms.get(i))).isEqualTo(FakeTransport.Messages.seq(ms.get(i - 1)) + 1);
        }
    }

    @Test
    void dnat4AddAndDelete() throws Exception {
        assertSameAsNft("nft-add-dnat4", batch().addMapElement("proxy_dnat4",
                Concat.of(CLIENT4, SERVER4, 40001), Concat.of(SERVER4, 40001), T30));
        assertSameAsNft("nft-delete-dnat4", batch().deleteElement("proxy_dnat4", Concat.of(CLIENT4, SERVER4, 40001)));
    }

    @Test
    void dnat6AddAndDelete() throws Exception {
        assertSameAsNft("nft-add-dnat6", batch().addMapElement("proxy_dnat6",
                Concat.of(CLIENT6, SERVER6, 40001), Concat.of(SERVER6, 40001), T30));
        assertSameAsNft("nft-delete-dnat6", batch().deleteElement("proxy_dnat6", Concat.of(CLIENT6, SERVER6, 40001)));
    }

    @Test
    void snat4AddAndDelete() throws Exception {
        assertSameAsNft("nft-add-snat4", batch().addMapElement("proxy_snat4",
                Concat.of(CLIENT4, SERVER4, 40001), Concat.of(SNAT4), T30));
        assertSameAsNft("nft-delete-snat4", batch().deleteElement("proxy_snat4", Concat.of(CLIENT4, SERVER4, 40001)));
    }

    @Test
    void snat6AddAndDelete() throws Exception {
        assertSameAsNft("nft-add-snat6", batch().addMapElement("proxy_snat6",
                Concat.of(CLIENT6, SERVER6, 40001), Concat.of(SNAT6), T30));
        assertSameAsNft("nft-delete-snat6", batch().deleteElement("proxy_snat6", Concat.of(CLIENT6, SERVER6, 40001)));
    }

    @Test
    void advertised4AddAndDelete() throws Exception {
        Concat key = Concat.of(CLIENT4, IpAddress.parse("198.51.100.7"), 50000);
        assertSameAsNft("nft-add-advertised4", batch().addSetElement("advertised4", key, Duration.ofSeconds(300)));
        assertSameAsNft("nft-delete-advertised4", batch().deleteElement("advertised4", key));
    }

    @Test
    void advertised6AddAndDelete() throws Exception {
        Concat key = Concat.of(CLIENT6, IpAddress.parse("2001:db8::7"), 50000);
        assertSameAsNft("nft-add-advertised6", batch().addSetElement("advertised6", key, Duration.ofSeconds(300)));
        assertSameAsNft("nft-delete-advertised6", batch().deleteElement("advertised6", key));
    }

    @Test
    void createIsExclusiveAndTimeoutIsInMilliseconds() throws Exception {
        assertSameAsNft("nft-create-dnat4", batch().createMapElement("proxy_dnat4",
                Concat.of(CLIENT4, SERVER4, 40001), Concat.of(SERVER4, 40001), Duration.ofMillis(1500)));
    }

    @Test
    void twoOperationsAreOneBatch() throws Exception {
        Concat key = Concat.of(IpAddress.parse("10.10.10.3"), SERVER4, 40002);
        assertSameAsNft("nft-batch-two", batch()
                .addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40002), T30)
                .addMapElement("proxy_snat4", key, Concat.of(SNAT4), T30));
    }

    /** nft 1.0.6 has no destroy: it is the delete message with type DESTROYSETELEM (30). */
    @Test
    void destroyIsDeleteWithAnotherType() throws Exception {
        Concat key = Concat.of(CLIENT4, SERVER4, 40001);
        List<byte[]> del = BatchDatagrams.messages(sent(batch().deleteElement("proxy_dnat4", key)));
        List<byte[]> destroy = BatchDatagrams.messages(sent(batch().destroyElement("proxy_dnat4", key)));
        assertThat(BatchDatagrams.type(destroy.get(1))).isEqualTo((NfTables.NFNL_SUBSYS_NFTABLES << 8) | NfTables.NFT_MSG_DESTROYSETELEM);
        assertThat(BatchDatagrams.type(del.get(1))).isEqualTo((NfTables.NFNL_SUBSYS_NFTABLES << 8) | NfTables.NFT_MSG_DELSETELEM);
        assertThat(java.util.Arrays.copyOfRange(destroy.get(1), 16, destroy.get(1).length))
                .isEqualTo(java.util.Arrays.copyOfRange(del.get(1), 16, del.get(1).length));
    }

    @Test
    void concatenationsArePaddedToRegisters() {
        assertThat(Concat.of(CLIENT4, SERVER4, 40001).toBytes()).containsExactly(
                10, 10, 10, 2, 0xc0 - 256, 0xa8 - 256, 10, 0x73, 0x9c - 256, 0x41, 0, 0);
        assertThat(Concat.of(SERVER6, 21).toBytes()).hasSize(20);
        assertThat(Concat.of(CLIENT4, SERVER4, 40001)).hasToString("10.10.10.2 . 192.168.10.115 . 40001");
    }
}
