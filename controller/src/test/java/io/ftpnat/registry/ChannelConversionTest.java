package io.ftpnat.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.ControlDialogue;
import io.ftpnat.alg.FlowKey;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.alg.SessionAddresses;
import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.session.ChannelPlan;
import io.ftpnat.session.Negotiation;
import io.ftpnat.session.ObservedChannel;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Both kinds of channel become the registry's one {@link DataChannel}, with what the client and
 * the server each see. The reference lab: client 10.10.10.2 inside, the router 10.10.10.1 |
 * 192.168.10.114 (masquerade), server 192.168.10.115 outside.
 */
class ChannelConversionTest {
    static final IpAddress CLIENT = IpAddress.parse("10.10.10.2");
    static final IpAddress ROUTER_OUT = IpAddress.parse("192.168.10.114");
    static final IpAddress SERVER = IpAddress.parse("192.168.10.115");
    static final Instant T = Instant.parse("2026-12-01T12:00:00Z");

    static final Conntrack CONTROL = new Conntrack(2, Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21),
            Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000),
            Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
            null, null, null, -1, 1);

    static Negotiation negotiation(DataChannelOffer offer, String line) {
        return new Negotiation(offer, line, T, Negotiation.Position.KERNEL_READ, true, true);
    }

    @Test
    void aRepairedPassiveChannelShowsTheForeignAddressTheServerNamedAndTheOneTheClientIsLetTo() {
        // the server's 227 names 198.51.100.9 (its pasv_address): the helper refuses, ftpnatd repairs
        // with an expectation from the client to the server itself, port 40000
        Expectation repair = Expectation.create(CONTROL.original(), Tuple.tcp("10.10.10.2", 0, "192.168.10.115", 40000), 300);
        ObservedChannel c = new ObservedChannel(2,
                negotiation(new DataChannelOffer(DataChannelOffer.Form.PASV_227, Optional.of(IpAddress.parse("198.51.100.9")), 40000),
                        "227 Entering Passive Mode (198,51,100,9,156,64)."),
                new ChannelPlan(ChannelPlan.Source.REPAIR, repair, "names a foreign address"), ObservedChannel.State.EXPECTED, repair,
                null, "repaired", 800, T);

        DataChannel d = ChannelConversion.observed(c, CONTROL);

        assertThat(d.number()).isEqualTo(2);
        assertThat(d.direction()).isEqualTo(DataChannel.Direction.PASSIVE);
        assertThat(d.server()).map(Object::toString).contains("198.51.100.9:40000"); // what its reply said
        assertThat(d.client()).map(Object::toString).contains("192.168.10.115:40000"); // where the repair lets the client go
        assertThat(d.carrier()).isEqualTo(DataChannel.Carrier.REPAIRED_EXPECTATION);
        assertThat(d.state()).isEqualTo(DataChannel.State.EXPECTED);
        assertThat(d.changed()).isEqualTo(T);
        assertThat(d.note()).isEqualTo("repaired");
        DataChannel.Negotiated n = (DataChannel.Negotiated) d.detail();
        assertThat(n.form()).isEqualTo("227");
        assertThat(n.port()).isEqualTo(40000);
        assertThat(n.expectation()).contains(repair);
        assertThat(n.repairMicros()).isEqualTo(800);
    }

    @Test
    void anEpsvNamesOnlyAPortTheAddressIsTheControlConnectionsServer() {
        ObservedChannel c = new ObservedChannel(1,
                negotiation(new DataChannelOffer(DataChannelOffer.Form.EPSV_229, Optional.empty(), 41000),
                        "229 Entering Extended Passive Mode (|||41000|)"),
                new ChannelPlan(ChannelPlan.Source.KERNEL, null, "the kernel helper reads it"), ObservedChannel.State.PENDING, null,
                null, null, -1, T);

        DataChannel d = ChannelConversion.observed(c, CONTROL);

        assertThat(d.server()).map(Object::toString).contains("192.168.10.115:41000");
        assertThat(d.client()).as("no expectation yet: not known").isEmpty();
        assertThat(d.carrier()).isEqualTo(DataChannel.Carrier.HELPER_EXPECTATION);
        assertThat(d.state()).isEqualTo(DataChannel.State.PENDING);
        assertThat(d.note()).isEmpty();
    }

    @Test
    void aProxiedActiveChannelIsTheClientsListenerAndTheRoutersPortTheServerConnectsTo() {
        // the client said PORT 10,10,10,2,21,179 (5555); the ALG told the server 192.168.10.114:50001
        ChannelElement e = new ChannelElement(7, 3, ChannelElement.Kind.ACTIVE, new FlowKey(SERVER, ROUTER_OUT, 50001), CLIENT, 5555,
                Optional.of(SERVER), ChannelElement.Path.KERNEL, T);
        SessionAddresses at = new SessionAddresses(new InetSocketAddress(CLIENT.toInetAddress(), 40000), SERVER,
                new InetSocketAddress(SERVER.toInetAddress(), 21), new InetSocketAddress(ROUTER_OUT.toInetAddress(), 33333));
        ProxiedSession idle = new ProxiedSession(new ProxyServer.SessionView(3, "lab", at, T,
                new ControlDialogue.Snapshot(true, false, 5, 1, 0, Optional.of(e), T, 0)));

        List<DataChannel> channels = idle.channels();

        assertThat(channels).singleElement().satisfies(d -> {
            assertThat(d.number()).isEqualTo(7);
            assertThat(d.direction()).isEqualTo(DataChannel.Direction.ACTIVE);
            assertThat(d.client()).map(Object::toString).contains("10.10.10.2:5555");
            assertThat(d.server()).map(Object::toString).contains("192.168.10.114:50001");
            assertThat(d.carrier()).isEqualTo(DataChannel.Carrier.NFT_ELEMENT);
            assertThat(d.state()).isEqualTo(DataChannel.State.EXPECTED);
            DataChannel.Proxied p = (DataChannel.Proxied) d.detail();
            assertThat(p.match()).isEqualTo(new FlowKey(SERVER, ROUTER_OUT, 50001).toString());
            assertThat(p.target().toString()).isEqualTo("10.10.10.2:5555");
            assertThat(p.snatTo()).contains(SERVER);
        });
        ProxiedSession transferring = new ProxiedSession(new ProxyServer.SessionView(3, "lab", at, T,
                new ControlDialogue.Snapshot(true, true, 6, 1, 0, Optional.of(e), T, 0)));
        assertThat(transferring.channels()).singleElement().extracting(DataChannel::state).isEqualTo(DataChannel.State.CONNECTED);
        ProxiedSession none = new ProxiedSession(new ProxyServer.SessionView(3, "lab", at, T,
                new ControlDialogue.Snapshot(true, false, 7, 1, 0, Optional.empty(), T, 0)));
        assertThat(none.channels()).isEmpty();
    }

    @Test
    void aRelayedPassiveChannelIsCarriedByTheDaemon() {
        IpAddress client6 = IpAddress.parse("fd00:10::2");
        IpAddress published6 = IpAddress.parse("fd00:10::1");
        ChannelElement e = new ChannelElement(8, 4, ChannelElement.Kind.PASSIVE, new FlowKey(client6, published6, 50002), SERVER, 40000,
                Optional.of(ROUTER_OUT), ChannelElement.Path.RELAYED, T);

        DataChannel d = ChannelConversion.proxied(e, false);

        assertThat(d.carrier()).isEqualTo(DataChannel.Carrier.DAEMON_RELAY);
        assertThat(d.client()).map(Object::toString).contains("[fd00:10::1]:50002");
        assertThat(d.server()).map(Object::toString).contains("192.168.10.115:40000");
    }
}
