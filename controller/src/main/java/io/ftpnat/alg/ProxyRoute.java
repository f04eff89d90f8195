package io.ftpnat.alg;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Where a diverted control connection goes: the rule that diverted it, the server, the source to use. */
public record ProxyRoute(String rule, InetSocketAddress server, Optional<InetAddress> bind) {
}
