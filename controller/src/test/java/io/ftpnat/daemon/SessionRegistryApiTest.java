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
import java.util.List;
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
    final SessionRegistry registry = new SessionRegistry(tables(), model, List::of);

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
        ObjectNode detail = SessionJson.detail(shown.model().orElseThrow());
        assertThat(detail.path("data_channels").toString())
                .contains("\"form\":\"EPRT\",\"mode\":\"active\",\"port\":5555,\"by\":\"kernel helper\"");
        assertThat(detail.path("dialogue").toString()).contains("< 220 lab").contains("> EPRT |1|10.10.10.2|5555|");
        assertThat(detail.has("since")).isTrue();
        assertThat(detail.path("control").path("original").isObject()).isTrue();
    }

    @Test
    void anUnknownIdIsNotFoundAndAProxiedIdIsNoObservedSession() {
        assertThat(registry.session("12345")).isEmpty();
        assertThat(registry.session("proxy-1")).isEmpty();
    }
}
