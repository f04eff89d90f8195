package io.ftpnat.registry;

import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.ftp.HostPort;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.registry.DataChannel.Endpoint;
import io.ftpnat.session.ChannelPlan;
import io.ftpnat.session.Negotiation;
import io.ftpnat.session.ObservedChannel;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * The domain's channel values as the registry's one {@link DataChannel}: an observed session's
 * {@link ObservedChannel}s, a proxied session's pending {@link ChannelElement}. The only place that
 * knows both.
 */
final class ChannelConversion {
    private ChannelConversion() {
    }

    /** The channels the model knows for an observed session, oldest first. */
    static List<DataChannel> observed(SessionSnapshot s) {
        return s.channels().stream().map(c -> observed(c, s.control())).toList();
    }

    /**
     * One observed channel. The side that named the channel sees what its line said (a 229 names
     * only a port: the address is the control connection's server); the side that connects sees
     * the expectation's destination, the address after the kernel's rewrite (or the planned
     * expectation's, while none is in the kernel).
     */
    static DataChannel observed(ObservedChannel c, Conntrack control) {
        Negotiation n = c.negotiation();
        boolean active = n.active();
        Optional<Endpoint> named = n.offer().hostPort().map(ChannelConversion::endpoint)
                .or(() -> !active && control != null && control.reply() != null
                        ? Optional.of(new Endpoint(control.reply().src(), c.port())) : Optional.empty());
        Optional<Expectation> expectation = Optional.ofNullable(c.expectation());
        Optional<Expectation> planned = Optional.ofNullable(c.plan().expectation());
        Optional<Endpoint> connectsTo = expectation.or(() -> planned)
                .map(e -> new Endpoint(e.tuple().dst(), e.tuple().dstPort()));
        DataChannel.Carrier carrier = carrier(c.plan().source());
        DataChannel.Negotiated detail = new DataChannel.Negotiated(n.line(), RepairPlanner.formName(n.offer().form()), c.port(),
                expectation, planned, Optional.ofNullable(c.data()), c.repairMicros());
        return new DataChannel(c.number(), active ? DataChannel.Direction.ACTIVE : DataChannel.Direction.PASSIVE,
                active ? named : connectsTo, active ? connectsTo : named, carrier, state(c.state()), c.changed(), c.note(), detail);
    }

    /** A proxied session's channels: the one it may have pending (a new negotiation replaces it, a transfer's end withdraws it). */
    static List<DataChannel> proxied(ProxyServer.SessionView s) {
        return s.state().channel().map(c -> proxied(c, s.state().transferring())).stream().toList();
    }

    /**
     * One proxied channel. The side that connects sends its first packet to the match's
     * destination (the router's address and port the ALG named to it); the other side sees the
     * DNAT target (where it listens).
     */
    static DataChannel proxied(ChannelElement c, boolean transferring) {
        Endpoint routerSide = new Endpoint(c.match().destination(), c.match().port());
        Endpoint target = new Endpoint(c.target(), c.targetPort());
        boolean passive = c.kind() == ChannelElement.Kind.PASSIVE;
        DataChannel.Carrier carrier = c.path() == ChannelElement.Path.KERNEL ? DataChannel.Carrier.NFT_ELEMENT
                : DataChannel.Carrier.DAEMON_RELAY;
        DataChannel.Proxied detail = new DataChannel.Proxied(c.sessionId(), c.match().source(), routerSide, target, c.snatTo(),
                c.created());
        // one channel per session: the session's transfer is this channel's
        DataChannel.State state = transferring ? DataChannel.State.CONNECTED : DataChannel.State.EXPECTED;
        return new DataChannel(c.id(), passive ? DataChannel.Direction.PASSIVE : DataChannel.Direction.ACTIVE,
                Optional.of(passive ? routerSide : target), Optional.of(passive ? target : routerSide), carrier, state, c.created(), "",
                detail);
    }

    private static Endpoint endpoint(HostPort h) {
        return new Endpoint(h.address(), h.port());
    }

    private static DataChannel.Carrier carrier(ChannelPlan.Source source) {
        return switch (source) {
            case KERNEL -> DataChannel.Carrier.HELPER_EXPECTATION;
            case REPAIR -> DataChannel.Carrier.REPAIRED_EXPECTATION;
            case REFUSED -> DataChannel.Carrier.NONE;
        };
    }

    private static DataChannel.State state(ObservedChannel.State s) {
        return switch (s) {
            case PENDING -> DataChannel.State.PENDING;
            case EXPECTED -> DataChannel.State.EXPECTED;
            case CONNECTED -> DataChannel.State.CONNECTED;
            case REFUSED -> DataChannel.State.REFUSED;
            case FAILED -> DataChannel.State.FAILED;
            case ENDED -> DataChannel.State.ENDED;
        };
    }
}
