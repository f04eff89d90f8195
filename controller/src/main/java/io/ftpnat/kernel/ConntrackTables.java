package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;

/**
 * The daemon's verbs for the kernel's connection tracker: stream the conntrack and expectation
 * tables. Each call is independent (its own netlink socket), so queries from many API clients
 * run side by side.
 */
public interface ConntrackTables {
    long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException;

    long dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException;

    /** Subscribes to conntrack and expectation events; the caller polls and closes it. */
    ConntrackEvents subscribe() throws NetlinkException;
}
