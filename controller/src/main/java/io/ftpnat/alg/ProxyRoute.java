package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.policy.AlgControls;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where a diverted control connection goes: the rule that diverted it, the server, the source to
 * use, and what the rule lets cross its control channel.
 */
public record ProxyRoute(String rule, InetSocketAddress server, Optional<IpAddress> bind, AlgControls controls) {
    public ProxyRoute(String rule, InetSocketAddress server, Optional<IpAddress> bind) {
        this(rule, server, bind, AlgControls.none());
    }
}
