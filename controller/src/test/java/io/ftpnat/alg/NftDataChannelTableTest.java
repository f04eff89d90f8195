package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The nftables text of a data channel: the elements the template's maps hold. */
class NftDataChannelTableTest {
    @Test
    void aPassiveChannelIsOneDnatAndOneSnatElementWithTheTimeout() {
        DataChannel c = new DataChannel(1, 1, DataChannel.Kind.PASSIVE,
                new FlowKey(ControlDialogueTest.CLIENT, ControlDialogueTest.PUBLISHED, 50001), ControlDialogueTest.SERVER, 40000,
                Optional.of(ControlDialogueTest.ROUTER_OUT), DataChannel.Path.KERNEL, Instant.EPOCH);
        String text = new NftDataChannelTable(null, "ftpnat", Duration.ofSeconds(30)).addCommands(c);
        assertThat(text).isEqualTo("""
                add element inet ftpnat proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 30s : 192.168.10.115 . 40000 }
                add element inet ftpnat proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 timeout 30s : 192.168.10.114 }
                """);
    }

    @Test
    void removingIsOneTransactionThatCannotFailOnAnExpiredElement() {
        DataChannel c = new DataChannel(1, 1, DataChannel.Kind.PASSIVE,
                new FlowKey(ControlDialogueTest.CLIENT, ControlDialogueTest.PUBLISHED, 50001), ControlDialogueTest.SERVER, 40000,
                Optional.of(ControlDialogueTest.ROUTER_OUT), DataChannel.Path.KERNEL, Instant.EPOCH);
        assertThat(new NftDataChannelTable(null, "ftpnat", Duration.ofSeconds(30)).removeCommands(c)).isEqualTo("""
                add element inet ftpnat proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 1s : 192.168.10.115 . 40000 }
                delete element inet ftpnat proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 }
                add element inet ftpnat proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 timeout 1s : 192.168.10.114 }
                delete element inet ftpnat proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 }
                """);
    }

    @Test
    void anIpv6ActiveChannelThroughAnSnatRuleHasNoSnatElement() {
        var server = ControlDialogueTest.ip("fd00:192::115");
        var router = ControlDialogueTest.ip("fd00:192::114");
        var client = ControlDialogueTest.ip("fd00:10::2");
        DataChannel c = new DataChannel(1, 1, DataChannel.Kind.ACTIVE, new FlowKey(server, router, 50002), client, 41000,
                Optional.empty(), DataChannel.Path.KERNEL, Instant.EPOCH);
        assertThat(new NftDataChannelTable(null, "ftpnat", Duration.ofSeconds(5)).addCommands(c))
                .isEqualTo("add element inet ftpnat proxy_dnat6 { fd00:192::115 . fd00:192::114 . 50002 timeout 5s : fd00:10::2 . 41000 }\n");
    }
}
