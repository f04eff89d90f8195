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

    /** Subscribes to conntrack and expectation events; the caller polls and closes it. */
    EventStream subscribe() throws NetlinkException;

    /**
     * The daemon's own feed: subscribe, then a full snapshot, again after lost events; callbacks on
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

        @Override
        void close();
    }
}
