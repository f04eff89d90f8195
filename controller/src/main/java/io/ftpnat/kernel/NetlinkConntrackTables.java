package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;

/** {@link ConntrackTables} over ctnetlink, in the daemon's network namespace. */
public final class NetlinkConntrackTables implements ConntrackTables {
    @Override
    public long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        try (ConntrackClient client = ConntrackClient.open()) {
            return client.dump(filter, consumer);
        }
    }

    @Override
    public ConntrackEvents subscribe() throws NetlinkException {
        return ConntrackEvents.subscribe(ConntrackEvents.ALL);
    }

    @Override
    public long dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException {
        try (ConntrackClient client = ConntrackClient.open()) {
            return client.dumpExpectations(0, consumer);
        }
    }
}
