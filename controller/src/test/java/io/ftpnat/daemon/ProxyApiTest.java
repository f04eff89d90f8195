package io.ftpnat.daemon;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.daemon.ProxyApi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.alg.ControlDialogue;
import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.FlowKey;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.alg.SessionAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What proxy.sessions says about one session (docs/api.md). */
class ProxyApiTest {
    static final IpAddress SERVER = ip("192.168.10.115");
    static final IpAddress ROUTER_OUT = ip("192.168.10.114");

    static IpAddress ip(String literal) {
        try {
            return IpAddress.of(InetAddress.getByName(literal)); // literals only: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void aSessionWithARelayedChannelSaysSo() {
        var client6 = ip("fd00:10::2");
        var published6 = ip("fd00:10::1");
        SessionAddresses at = new SessionAddresses(new InetSocketAddress(client6.toInetAddress(), 40000), published6,
                new InetSocketAddress(SERVER.toInetAddress(), 21), new InetSocketAddress(ROUTER_OUT.toInetAddress(), 33333));
        ChannelElement c = new ChannelElement(7, 3, ChannelElement.Kind.PASSIVE, new FlowKey(client6, published6, 50001),
                SERVER, 40000, Optional.of(ROUTER_OUT), ChannelElement.Path.RELAYED, Instant.EPOCH);
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
