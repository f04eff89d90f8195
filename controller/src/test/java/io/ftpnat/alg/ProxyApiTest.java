package io.ftpnat.alg;

import io.ftpnat.daemon.ProxyApi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What proxy.sessions says about one session (docs/api.md). */
class ProxyApiTest {
    @Test
    void aSessionWithARelayedChannelSaysSo() {
        var client6 = ControlDialogueTest.ip("fd00:10::2");
        var published6 = ControlDialogueTest.ip("fd00:10::1");
        SessionAddresses at = new SessionAddresses(new InetSocketAddress(client6, 40000), published6,
                new InetSocketAddress(ControlDialogueTest.SERVER, 21), new InetSocketAddress(ControlDialogueTest.ROUTER_OUT, 33333));
        DataChannel c = new DataChannel(7, 3, DataChannel.Kind.PASSIVE, new FlowKey(client6, published6, 50001),
                ControlDialogueTest.SERVER, 40000, Optional.of(ControlDialogueTest.ROUTER_OUT), DataChannel.Path.RELAYED, Instant.EPOCH);
        ControlDialogue.Snapshot state = new ControlDialogue.Snapshot(true, false, 5, 1, 0, Optional.of(c), Instant.EPOCH, 0);
        ObjectNode json = ProxyApi.json(new ProxyServer.SessionView(3, "published6", at, Instant.EPOCH, state));
        assertThat(json.path("client").asText()).isEqualTo("[fd00:10::2]:40000");
        assertThat(json.path("server").asText()).isEqualTo("192.168.10.115:21");
        assertThat(json.path("router").asText()).isEqualTo("192.168.10.114:33333");
        assertThat(json.path("channel").path("path").asText()).isEqualTo("relayed");
        assertThat(json.path("channel").path("match").asText()).isEqualTo("fd00:10::2 -> [fd00:10::1]:50001");
        assertThat(json.path("channel").path("to").asText()).isEqualTo("192.168.10.115:40000");
        assertThat(json.path("channel").path("from").asText()).isEqualTo("192.168.10.114");
    }
}
