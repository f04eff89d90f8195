package io.ftpnat.daemon;

import io.ftpnat.kernel.AdvertisedAddresses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.registry.ObservedSession;
import io.ftpnat.registry.Session;
import io.ftpnat.registry.SessionRegistry;
import io.ftpnat.session.ManualClock;
import io.ftpnat.session.Packets;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.ControlDialogue;
import io.ftpnat.alg.FlowKey;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.alg.SessionAddresses;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code sessions} and {@code session.show} read the one session registry and render it here, in
 * the API layer, in the shapes docs/api.md gives: a client 10.10.10.2 behind the router's
 * masquerade (192.168.10.114) talks to the server 192.168.10.115 with the kernel helper.
 */
class SessionRegistryApiTest {
    static final String CLIENT = "10.10.10.2";
    static final String SERVER = "192.168.10.115";

    final FakeConntrackKernel kernel = new FakeConntrackKernel();
    final NetlinkSessionKernel sessionKernel = new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport()));
    final SessionModel model = new SessionModel(sessionKernel, new RepairPlanner(1024), AdvertisedAddresses.NONE, new ManualClock());
    final List<ProxyServer.SessionView> proxied = new ArrayList<>();
    final SessionRegistry registry = new SessionRegistry(tables(), model, () -> List.copyOf(proxied));

    ConntrackTables tables() {
        return new ConntrackTables() {
            @Override
            public long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException {
                sessionKernel.dumpConntrack(consumer);
                return 0;
            }

            @Override
            public long dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException {
                sessionKernel.dumpExpectations(consumer);
                return 0;
            }

            @Override
            public EventStream subscribe() {
                throw new UnsupportedOperationException("not needed here");
            }

            @Override
            public EventMonitor monitor(int receiveBufferBytes, io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor.Listener listener) {
                throw new UnsupportedOperationException("not needed here");
            }
        };
    }

    @Test
    void anObservedSessionIsListedWithTheKernelsViewAndTheModelsAndShownInDetail() throws Exception {
        Conntrack control = kernel.add(new Conntrack(2, Tuple.tcp(CLIENT, 40000, SERVER, 21), Tuple.tcp(SERVER, 21, "192.168.10.114", 40000),
                Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
                null, null, null, -1, 1));
        model.onConntrack(control);
        model.onPacket(Packets.v4(SERVER, 21, CLIENT, 40000, 5000, "220 lab\r\n"), -1);
        model.onPacket(Packets.v4(CLIENT, 40000, SERVER, 21, 1000, "USER lab\r\n"), -1);
        model.onPacket(Packets.v4(CLIENT, 40000, SERVER, 21, 1010, "EPRT |1|10.10.10.2|5555|\r\n"), -1);

        List<Session> sessions = registry.sessions();
        assertThat(sessions).singleElement().isInstanceOf(ObservedSession.class);
        ObjectNode item = SessionJson.item(sessions.get(0));
        String id = Long.toString(control.id());
        assertThat(item.path("id").asText()).isEqualTo(id);
        assertThat(item.path("control").path("helper").asText()).isEqualTo("ftp");
        assertThat(item.path("expectations").isArray()).isTrue();
        assertThat(item.path("data").isArray()).isTrue();
        assertThat(item.path("session").path("id").asText()).isEqualTo(id);
        assertThat(item.path("session").path("state").asText()).isEqualTo("open");
        assertThat(item.path("session").path("channels").asInt()).isEqualTo(1);
        assertThat(item.path("session").path("last_channel").asText()).isEqualTo("EPRT |1|10.10.10.2|5555| → pending");

        ObservedSession shown = (ObservedSession) registry.session(id).orElseThrow();
        ObjectNode detail = SessionJson.detail(shown);
        assertThat(detail.path("data_channels").toString())
                .contains("\"form\":\"EPRT\",\"mode\":\"active\",\"port\":5555,\"by\":\"kernel helper\",\"state\":\"pending\"");
        // what the client sees: its own listener; the server, before the kernel's expectation: the planned one's address
        assertThat(detail.path("data_channels").path(0).path("client").asText()).isEqualTo("10.10.10.2:5555");
        assertThat(detail.path("data_channels").path(0).path("server").asText()).isEqualTo("192.168.10.114:5555");
        assertThat(detail.path("data_channels").path(0).has("changed")).isTrue();
        assertThat(detail.path("dialogue").toString()).contains("< 220 lab").contains("> EPRT |1|10.10.10.2|5555|");
        assertThat(detail.has("since")).isTrue();
        assertThat(detail.path("control").path("original").isObject()).isTrue();
    }

    @Test
    void aProxiedSessionIsShownAsProxySessionsShowsItWithItsChannel() {
        // the client 10.10.10.2 said PASV through the ALG; the server answered 192.168.10.115:40000, the
        // ALG told the client the server's own address (the SNAT rule's client_view) with router port 50001
        IpAddress client = IpAddress.parse(CLIENT);
        IpAddress server = IpAddress.parse(SERVER);
        IpAddress routerOut = IpAddress.parse("192.168.10.114");
        SessionAddresses at = new SessionAddresses(new InetSocketAddress(client.toInetAddress(), 40000), server,
                new InetSocketAddress(server.toInetAddress(), 21), new InetSocketAddress(routerOut.toInetAddress(), 33333));
        ChannelElement element = new ChannelElement(9, 3, ChannelElement.Kind.PASSIVE, new FlowKey(client, server, 50001), server, 40000,
                Optional.of(routerOut), ChannelElement.Path.KERNEL, Instant.EPOCH);
        proxied.add(new ProxyServer.SessionView(3, "lab", at, Instant.EPOCH,
                new ControlDialogue.Snapshot(true, false, 4, 1, 0, Optional.of(element), Instant.EPOCH, 0)));

        Session shown = registry.session("proxy-3").orElseThrow();
        ObjectNode detail = SessionJson.detail(shown);

        assertThat(detail.path("mode").asText()).isEqualTo("proxy");
        assertThat(detail.path("id").asText()).isEqualTo("proxy-3");
        assertThat(detail.path("proxy")).as("what proxy.sessions shows for it")
                .isEqualTo(ProxyApi.json(proxied.get(0)));
        assertThat(detail.path("proxy").path("channel").path("match").asText()).isEqualTo("10.10.10.2 -> 192.168.10.115:50001");
        ObjectNode channel = (ObjectNode) detail.path("data_channels").path(0);
        assertThat(channel.path("number").asLong()).isEqualTo(9);
        assertThat(channel.path("mode").asText()).isEqualTo("passive");
        assertThat(channel.path("by").asText()).isEqualTo("nft map element");
        assertThat(channel.path("state").asText()).isEqualTo("expected");
        assertThat(channel.path("client").asText()).as("where the client connects").isEqualTo("192.168.10.115:50001");
        assertThat(channel.path("server").asText()).as("where the server listens").isEqualTo("192.168.10.115:40000");
        assertThat(channel.path("path").asText()).isEqualTo("kernel");
        assertThat(channel.path("to").asText()).isEqualTo("192.168.10.115:40000");
        assertThat(channel.path("from").asText()).isEqualTo("192.168.10.114");
        assertThat(detail.path("data_channels").size()).isEqualTo(1);
        assertThat(registry.session("proxy-4")).isEmpty();
    }

    @Test
    void anUnknownIdIsNotFoundAndAProxiedIdIsNoObservedSession() {
        assertThat(registry.session("12345")).isEmpty();
        assertThat(registry.session("proxy-1")).isEmpty();
    }
}
