package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.EventHandler;
import io.ftpnat.nativ.netlink.conntrack.Expectation;

/** {@link ConntrackTables} over ctnetlink, in the daemon's network namespace. */
public final class NetlinkConntrackTables implements ConntrackTables {
    /** The session model's expectation writer: the monitor need not hear of what it writes. */
    private final OwnWriters ownExpectations;

    /** Tables whose monitor hears every expectation event (no writer of the daemon's own). */
    public NetlinkConntrackTables() {
        this(new OwnWriters("expectations"));
    }

    NetlinkConntrackTables(OwnWriters ownExpectations) {
        this.ownExpectations = ownExpectations;
    }

    @Override
    public long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        try (ConntrackClient client = ConntrackClient.open()) {
            return client.dump(filter, consumer);
        }
    }

    @Override
    public EventStream subscribe() throws NetlinkException {
        ConntrackEvents events = ConntrackEvents.subscribe(ConntrackEvents.ALL);
        return new EventStream() {
            @Override
            public int poll(EventHandler handler, int timeoutMillis) throws NetlinkException {
                return events.poll(handler, timeoutMillis);
            }

            @Override
            public void close() {
                events.close();
            }
        };
    }

    @Override
    public EventMonitor monitor(int receiveBufferBytes, ConntrackMonitor.Listener listener) throws NetlinkException {
        ConntrackMonitor monitor = ConntrackMonitor.start(null, ConntrackEvents.ALL, receiveBufferBytes, ConntrackMonitor.Scope.FTP, listener);
        OwnWriters.Listener ignore = monitor::ignoreSenders;
        ownExpectations.listen(ignore);
        return new EventMonitor() {
            @Override
            public int receiveBufferSize() {
                return monitor.receiveBufferSize();
            }

            @Override
            public boolean kernelFiltered() {
                return monitor.kernelFiltered();
            }

            @Override
            public void close() {
                ownExpectations.unlisten(ignore);
                monitor.close();
            }
        };
    }

    @Override
    public long dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException {
        try (ConntrackClient client = ConntrackClient.open()) {
            return client.dumpExpectations(0, consumer);
        }
    }
}
