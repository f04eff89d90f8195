package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The element batches of a data channel: what the template's maps hold, one transaction per change. */
class NftDataChannelsTest {
    static final IpAddress CLIENT = ip("10.10.10.2");
    static final IpAddress PUBLISHED = ip("10.10.10.1");
    static final IpAddress SERVER = ip("192.168.10.115");
    static final IpAddress ROUTER_OUT = ip("192.168.10.114");
    private static final Duration THIRTY = Duration.ofSeconds(30);

    private final List<List<String>> sent = new ArrayList<>();
    private final NftDataChannels table = new NftDataChannels(b -> sent.add(ops(b)), "ftpnat");

    private static List<String> ops(ElementBatch b) {
        return b.operations().stream().map(Object::toString).toList();
    }

    static IpAddress ip(String s) {
        try {
            return IpAddress.of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static DataChannelRule passive(int port, int serverPort) {
        return new DataChannelRule(CLIENT, PUBLISHED, port, SERVER, serverPort, Optional.of(ROUTER_OUT));
    }

    @Test
    void aPassiveChannelIsOneDnatAndOneSnatElementWithTheTimeout() throws Exception {
        table.add(passive(50001, 40000), THIRTY);
        assertThat(sent).containsExactly(List.of(
                "add element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 30000ms : 192.168.10.115 . 40000 }",
                "add element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 timeout 30000ms : 192.168.10.114 }"));
    }

    @Test
    void removingIsOneTransactionThatCannotFailOnAnExpiredElement() throws Exception {
        table.remove(passive(50001, 40000));
        assertThat(sent).containsExactly(List.of(
                "destroy element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 }",
                "destroy element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 }"));
    }

    @Test
    void aReplacementWithdrawsAndAddsInOneTransaction() throws Exception {
        table.replace(passive(50001, 40000), passive(50002, 40001), THIRTY);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).hasSize(4).startsWith("destroy element proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 }")
                .endsWith("add element proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40001 timeout 30000ms : 192.168.10.114 }");
    }

    @Test
    void anIpv6ActiveChannelThroughAnSnatRuleHasNoSnatElement() throws Exception {
        DataChannelRule c = new DataChannelRule(ip("fd00:192::115"), ip("fd00:192::114"), 50002, ip("fd00:10::2"), 41000,
                Optional.empty());
        table.add(c, Duration.ofSeconds(5));
        assertThat(sent).containsExactly(List.of(
                "add element proxy_dnat6 { fd00:192::115 . fd00:192::114 . 50002 timeout 5000ms : fd00:10::2 . 41000 }"));
    }
}
