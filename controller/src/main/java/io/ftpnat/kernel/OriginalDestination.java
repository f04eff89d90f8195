package io.ftpnat.kernel;

import java.net.InetSocketAddress;
import java.util.Optional;

/** Where a diverted connection was addressed before the ruleset's {@code redirect} changed it. */
public interface OriginalDestination {
    Optional<InetSocketAddress> lookup(InetSocketAddress local, InetSocketAddress remote);
}
