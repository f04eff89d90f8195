package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.policy.DnatRule;
import io.ftpnat.policy.Mode;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.SnatRule;
import io.ftpnat.policy.SnatTarget;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The policy's proxy rules, asked which one a diverted connection belongs to. The ruleset only
 * diverts what these rules name, but the listener is an ordinary socket: a connection made to it
 * directly matches no rule and is closed without a word.
 */
public final class ProxyRoutes {
    private final Policy policy;

    public ProxyRoutes(Policy policy) {
        this.policy = policy;
    }

    /** The route for a client whose connection was originally addressed to {@code original}. */
    public Optional<ProxyRoute> route(IpAddress client, InetSocketAddress original) {
        for (DnatRule r : policy.dnat()) {
            if (r.mode() == Mode.PROXY && r.destination().equals(Addresses.of(original)) && r.port() == original.getPort()) {
                return Optional.of(new ProxyRoute(r.name(), Addresses.socket(r.to().address(), r.serverPort()), Optional.empty(),
                        r.controls()));
            }
        }
        for (SnatRule r : policy.snat()) {
            if (r.mode() == Mode.PROXY && r.source().contains(client) && r.controlPorts().contains(original.getPort())
                    && r.family() == io.ftpnat.policy.IpFamily.of(Addresses.of(original))) {
                Optional<IpAddress> bind = r.to() instanceof SnatTarget.Address a ? Optional.of(a.address()) : Optional.empty();
                return Optional.of(new ProxyRoute(r.name(), original, bind, r.controls()));
            }
        }
        return Optional.empty();
    }
}
