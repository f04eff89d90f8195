package io.ftpnat.nativ.netlink.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;

/** How the kernel's answers to a batch become results and errors (a fake nfnetlink, no kernel). */
class NftElementsReplyTest {
    private static final Concat KEY = Concat.of(IpAddress.parse("10.10.10.2"), IpAddress.parse("192.168.10.115"), 40001);
    private static final Concat TARGET = Concat.of(IpAddress.parse("192.168.10.115"), 40001);

    private static ElementBatch three() {
        return ElementBatch.forTable("ftpnat")
                .addMapElement("proxy_dnat4", KEY, TARGET, Duration.ofSeconds(30))
                .addMapElement("proxy_snat4", KEY, Concat.of(IpAddress.parse("192.168.10.1")), Duration.ofSeconds(30))
                .addSetElement("advertised4", KEY, Duration.ofSeconds(300));
    }

    @Test
    void allAcknowledgedIsSuccess() throws Exception {
        try (NftElements w = new NftElements(BatchDatagrams.kernel(i -> 0))) {
            w.apply(three());
        }
    }

    @Test
    void theRefusedOperationIsNamedWithItsErrno() {
        FakeTransport k = BatchDatagrams.kernel(i -> i == 2 ? Errno.EEXIST : 0);
        assertThatThrownBy(() -> new NftElements(k).apply(three()))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("add element inet ftpnat proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40001 timeout 30000ms"
                        + " : 192.168.10.1 } (operation 2 of 3; none applied): EEXIST (17)")
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void aSingleMissingElementIsEnoent() {
        FakeTransport k = BatchDatagrams.kernel(i -> i == 1 ? Errno.ENOENT : 0);
        assertThatThrownBy(() -> new NftElements(k).apply(ElementBatch.forTable("ftpnat").deleteElement("proxy_dnat4", KEY)))
                .hasMessage("delete element inet ftpnat proxy_dnat4 { 10.10.10.2 . 192.168.10.115 . 40001 }: ENOENT (2)");
    }

    @Test
    void aBatchRefusedWholeIsReportedAtOnce() {
        FakeTransport k = new FakeTransport(req -> java.util.List.of(
                FakeTransport.Messages.error(FakeTransport.Messages.seq(req), Errno.EPERM, req)));
        assertThatThrownBy(() -> new NftElements(k).apply(three()))
                .hasMessageContaining("refused as a whole: EPERM (1)");
    }

    @Test
    void noAnswerIsABoundedWait() {
        try (NftElements w = new NftElements(FakeTransport.silent())) {
            assertThatThrownBy(() -> w.apply(three()))
                    .hasMessageContaining("no reply from the kernel within 5000 ms (3 of 5 messages unanswered)");
        }
    }

    @Test
    void staleRepliesOfAnAbandonedBatchAreSkipped() throws Exception {
        FakeTransport kernel = BatchDatagrams.kernel(i -> 0);
        FakeTransport k = new FakeTransport(req -> {
            java.util.List<byte[]> out = new java.util.ArrayList<>();
            // an error for a sequence number of an earlier, abandoned batch comes first
            out.add(FakeTransport.Messages.error(FakeTransport.Messages.seq(req) - 7, Errno.EEXIST, req));
            kernel.send(java.nio.ByteBuffer.wrap(req), "inner");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
            while (kernel.receive(b, 0) > 0) {
                byte[] d = new byte[b.remaining()];
                b.get(d);
                out.add(d);
            }
            return out;
        });
        try (NftElements w = new NftElements(k)) {
            w.apply(three());
        }
    }

    @Test
    void emptyBatchSendsNothing() throws Exception {
        FakeTransport t = FakeTransport.silent();
        new NftElements(t).apply(ElementBatch.forTable("ftpnat"));
        assertThat(t.requests()).isEmpty();
    }

    @Test
    void onlyTypedValidatedValues() {
        assertThatThrownBy(() -> ElementBatch.forTable("ftpnat; flush ruleset")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementBatch.forTable("ftpnat").deleteElement("Proxy", KEY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementBatch.forTable("ftpnat").deleteElement("a".repeat(33), KEY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementBatch.forTable("ftpnat").addSetElement("advertised4", KEY, Duration.ZERO))
                .hasMessageContaining("timeout of at least 1 ms");
        assertThatThrownBy(() -> Concat.of(IpAddress.parse("10.0.0.1"), 65536)).isInstanceOf(IllegalArgumentException.class);
        IpAddress v6 = IpAddress.parse("fd00::1");
        assertThatThrownBy(() -> Concat.builder().address(v6).address(v6).address(v6).address(v6).port(1).build())
                .hasMessageContaining("at most 64 bytes");
        ElementBatch full = ElementBatch.forTable("ftpnat");
        for (int i = 0; i < ElementBatch.MAX_OPERATIONS; i++) {
            full.deleteElement("proxy_dnat4", KEY);
        }
        assertThatThrownBy(() -> full.deleteElement("proxy_dnat4", KEY)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFullBatchOfTheLargestElementsFitsOneDatagram() throws Exception {
        IpAddress v6 = IpAddress.parse("fd00:192:168:10::115");
        ElementBatch full = ElementBatch.forTable("a".repeat(32));
        for (int i = 0; i < ElementBatch.MAX_OPERATIONS; i++) {
            full.addMapElement("b".repeat(32), Concat.of(v6, v6, i), Concat.of(v6, i), Duration.ofDays(1));
        }
        FakeTransport k = BatchDatagrams.kernel(i -> 0);
        new NftElements(k).apply(full);
        assertThat(BatchDatagrams.messages(k.requests().get(0))).hasSize(ElementBatch.MAX_OPERATIONS + 2);
    }
}
