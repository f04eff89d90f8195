package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.EventHandler;
import io.ftpnat.nativ.netlink.conntrack.Expectation;

/**
 * Kernel verbs "dump conntrack/expectations" and "subscribe events", for the API's queries and the
 * daemon's own event feed. Each dump is independent (its own netlink socket), so queries from many
 * API clients run side by side.
 */
public interface ConntrackTables {
    /** The event socket's receive buffer unless the operator says otherwise (--events-buffer). */
    int DEFAULT_EVENTS_BUFFER = 8 << 20;

    long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException;

    long dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException;

    /**
     * The entries that concern FTP only (helper attached, or born of an expectation): filtered by
     * the kernel where it can (status filter, docs/netlink.md), so a router's other connections
     * cost nothing. Built on {@link #dump}.
     */
    default long dumpFtp(DumpConsumer<Conntrack> consumer) throws NetlinkException {
        return io.ftpnat.nativ.netlink.conntrack.FtpScope.dump(this::dump, consumer);
    }

    /** Subscribes to conntrack and expectation events; the caller polls and closes it. */
    EventStream subscribe() throws NetlinkException;

    /**
     * The daemon's own feed, of what concerns FTP only (filtered in the kernel, docs/netlink.md):
     * subscribe, then a snapshot of the FTP entries, again after lost events; callbacks on
     * the monitor's own thread ("conntrack-monitor").
     */
    EventMonitor monitor(int receiveBufferBytes, ConntrackMonitor.Listener listener) throws NetlinkException;

    /** A subscription that its one reader polls. */
    interface EventStream extends AutoCloseable {
        /** Delivers what arrived within {@code timeoutMillis}; returns how many events. */
        int poll(EventHandler handler, int timeoutMillis) throws NetlinkException;

        @Override
        void close();
    }

    /** The running monitor. */
    interface EventMonitor extends AutoCloseable {
        int receiveBufferSize();

        /** Whether the kernel filters the feed (a socket filter: FTP control, data connections, expectations only). */
        boolean kernelFiltered();

        @Override
        void close();
    }
}
