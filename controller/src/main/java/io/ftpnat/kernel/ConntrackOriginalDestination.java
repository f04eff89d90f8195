package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the original destination from the conntrack entry of the accepted connection. The
 * accepted socket shows the entry's reply tuple (router:listen_port -> client:port), and the
 * kernel finds an entry by either of its tuples; the original tuple's destination is what the
 * client addressed (docs/design/alg.md, the experiment).
 */
public final class ConntrackOriginalDestination implements OriginalDestination {
    private static final Logger log = LoggerFactory.getLogger(ConntrackOriginalDestination.class);
    private final ConntrackClient conntrack;

    public ConntrackOriginalDestination(ConntrackClient conntrack) {
        this.conntrack = conntrack;
    }

    @Override
    public Optional<InetSocketAddress> lookup(InetSocketAddress local, InetSocketAddress remote) {
        Tuple reply = Tuple.of(Tuple.TCP, IpAddress.of(local.getAddress()), local.getPort(), IpAddress.of(remote.getAddress()),
                remote.getPort());
        try {
            Optional<Conntrack> entry;
            // one netlink socket, one request at a time
            synchronized (conntrack) {
                entry = conntrack.get(reply);
            }
            return entry.map(c -> new InetSocketAddress(c.original().dst().toInetAddress(), c.original().dstPort()));
        } catch (NetlinkException e) {
            log.warn("conntrack lookup of {} failed: {}", reply, e.getMessage());
            return Optional.empty();
        }
    }
}
