package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The element batches of a data channel: what the template's maps hold, one transaction per change. */
class NftDataChannelTableTest {
    private final List<List<String>> sent = new ArrayList<>();

    private NftDataChannelTable table(Duration timeout) {
        return new NftDataChannelTable(b -> sent.add(ops(b)), "ftpnat", () -> timeout);
    }

    private static List<String> ops(ElementBatch b) {
        return b.operations().stream().map(Object::toString).toList();
    }

    private static DataChannel passive() {
        return new DataChannel(1, 1, DataChannel.Kind.PASSIVE,
                new FlowKey(ControlDialogueTest.CLIENT, ControlDialogueTest.PUBLISHED, 50001), ControlDialogueTest.SERVER, 40000,
                Optional.of(ControlDialogueTest.ROUTER_OUT), DataChannel.Path.KERNEL, Instant.EPOCH);
    }

    @Test
    void aPassiveChannelIsOneDnatAndOneSnatElementWithTheTimeout() throws Exception {
        table(Duration.ofSeconds(30)).install(passive());
        assertThat(sent).containsExactly(List.of(
                "add element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 30000ms : 192.168.10.115 . 40000 }",
                "add element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 timeout 30000ms : 192.168.10.114 }"));
    }

    @Test
    void removingIsOneTransactionThatCannotFailOnAnExpiredElement() {
        table(Duration.ofSeconds(30)).remove(passive());
        assertThat(sent).containsExactly(List.of(
                "destroy element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 }",
                "destroy element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 }"));
    }

    @Test
    void aReplacementWithdrawsAndAddsInOneTransaction() throws Exception {
        DataChannel old = passive();
        DataChannel next = new DataChannel(2, 1, DataChannel.Kind.PASSIVE,
                new FlowKey(ControlDialogueTest.CLIENT, ControlDialogueTest.PUBLISHED, 50002), ControlDialogueTest.SERVER, 40001,
                Optional.of(ControlDialogueTest.ROUTER_OUT), DataChannel.Path.KERNEL, Instant.EPOCH);
        table(Duration.ofSeconds(30)).replace(old, next);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).hasSize(4).startsWith("destroy element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 }")
                .endsWith("add element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40001 timeout 30000ms : 192.168.10.114 }");
    }

    @Test
    void anIpv6ActiveChannelThroughAnSnatRuleHasNoSnatElement() throws Exception {
        var server = ControlDialogueTest.ip("fd00:192::115");
        var router = ControlDialogueTest.ip("fd00:192::114");
        var client = ControlDialogueTest.ip("fd00:10::2");
        DataChannel c = new DataChannel(1, 1, DataChannel.Kind.ACTIVE, new FlowKey(server, router, 50002), client, 41000,
                Optional.empty(), DataChannel.Path.KERNEL, Instant.EPOCH);
        table(Duration.ofSeconds(5)).install(c);
        assertThat(sent).containsExactly(List.of(
                "add element proxy_dnat6 { fd00:192::115 . fd00:192::114 . 50002 timeout 5000ms : fd00:10::2 . 41000 }"));
    }
}
