package io.ftpnat.nativ.netlink.conntrack;

import java.util.Set;

import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * Keeps a consumer in step with the kernel's conntrack and expectation tables, the way conntrackd
 * does: subscribe to events first, then take a snapshot (dump), then apply events; when the kernel
 * reports lost events (ENOBUFS), take a new snapshot. One dedicated thread ("conntrack-monitor")
 * does all of it and calls the {@link Listener} — never concurrently.
 *
 * <p>A consumer's model is: between {@link Listener#onSnapshotBegin} and
 * {@link Listener#onSnapshotEnd} it receives every current entry; entries it knew but did not
 * receive are gone. Events that follow apply on top (they may repeat what the snapshot showed:
 * treat NEW as upsert, DESTROY of an unknown entry as a no-op).
 */
public final class ConntrackMonitor implements AutoCloseable {
    /** Callbacks, all on the monitor thread. */
    public interface Listener {
        /** A full snapshot follows; {@code afterLoss} is true when events were lost (resync). */
        default void onSnapshotBegin(boolean afterLoss) {
        }

        void onConntrack(Conntrack entry);

        default void onExpectation(Expectation entry) {
        }

        default void onSnapshotEnd() {
        }

        void onEvent(ConntrackEvent event);

        default void onExpectationEvent(ExpectationEvent event) {
        }

        /** A netlink error other than lost events; the monitor retries after a second. */
        default void onError(NetlinkException error) {
        }
    }

    /** What the monitor follows: the whole table, or only what concerns FTP (see {@link FtpScope}). */
    public enum Scope {
        /** Every event and the whole table in snapshots. */
        ALL,
        /**
         * Events filtered in the kernel by {@link FtpEventFilter} (ftp-helper connections, data
         * connections, expectations) and snapshots dumped by {@link FtpScope#dump}.
         */
        FTP
    }

    private final ConntrackEvents events;
    private final ConntrackClient client;
    private final Scope scope;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long snapshots;
    private boolean lost;

    private ConntrackMonitor(ConntrackEvents events, ConntrackClient client, Listener listener, Scope scope) {
        this.events = events;
        this.client = client;
        this.scope = scope;
        this.listener = listener;
        this.thread = new Thread(this::run, "conntrack-monitor");
        this.thread.setDaemon(true);
    }

    /**
     * Starts monitoring in {@code ns} (null: the calling thread's namespace) with the given event
     * groups and socket receive buffer (bytes; {@link ConntrackEvents#DEFAULT_RECEIVE_BUFFER} is a
     * good default).
     */
    public static ConntrackMonitor start(NetworkNamespace ns, Set<ConntrackEvents.Group> groups, int receiveBuffer,
                                         Listener listener) throws NetlinkException {
        return start(ns, groups, receiveBuffer, Scope.ALL, listener);
    }

    /** As {@link #start(NetworkNamespace, Set, int, Listener)}, following only {@code scope}. */
    public static ConntrackMonitor start(NetworkNamespace ns, Set<ConntrackEvents.Group> groups, int receiveBuffer,
                                         Scope scope, Listener listener) throws NetlinkException {
        io.ftpnat.nativ.netlink.NetlinkTransport t = ns == null
                ? KernelTransport.open(KernelTransport.NETLINK_NETFILTER) : ns.openNetlink(KernelTransport.NETLINK_NETFILTER);
        ConntrackEvents ev = ConntrackEvents.subscribe(t, groups, receiveBuffer,
                scope == Scope.FTP ? FtpEventFilter.program() : null);
        ConntrackClient client;
        try {
            client = ns == null ? ConntrackClient.open() : ConntrackClient.open(ns);
        } catch (NetlinkException e) {
            ev.close();
            throw e;
        }
        ConntrackMonitor m = new ConntrackMonitor(ev, client, listener, scope);
        m.thread.start();
        return m;
    }

    /**
     * Starts monitoring over given transports (e.g. a {@code FakeConntrackKernel}'s
     * {@code subscribe()} and {@code transport()} in tests): one for events, one for dumps.
     */
    public static ConntrackMonitor start(io.ftpnat.nativ.netlink.NetlinkTransport eventsTransport,
                                         io.ftpnat.nativ.netlink.NetlinkTransport requestTransport,
                                         Set<ConntrackEvents.Group> groups, int receiveBuffer, Listener listener)
            throws NetlinkException {
        return start(eventsTransport, requestTransport, groups, receiveBuffer, Scope.ALL, listener);
    }

    /** As above, following only {@code scope}. */
    public static ConntrackMonitor start(io.ftpnat.nativ.netlink.NetlinkTransport eventsTransport,
                                         io.ftpnat.nativ.netlink.NetlinkTransport requestTransport,
                                         Set<ConntrackEvents.Group> groups, int receiveBuffer, Scope scope, Listener listener)
            throws NetlinkException {
        ConntrackEvents ev = ConntrackEvents.subscribe(eventsTransport, groups, receiveBuffer,
                scope == Scope.FTP ? FtpEventFilter.program() : null);
        ConntrackMonitor m = new ConntrackMonitor(ev, new ConntrackClient(requestTransport), listener, scope);
        m.thread.start();
        return m;
    }

    /**
     * Drops, in the kernel, the events that the sockets {@code portIds} cause (the caller's own
     * requests: it knows what they did), on top of the scope's filter. Replaces the previous list.
     * Returns whether the kernel took the program. Safe only for sockets that stay open while
     * listed: a closed socket's port id can be taken by another process (conntrackd putting a
     * peer's expectations in), whose events would then go unseen.
     */
    public boolean ignoreSenders(int... portIds) throws NetlinkException {
        return events.refilter(scope == Scope.FTP ? FtpEventFilter.program(portIds)
                : io.ftpnat.nativ.netlink.SocketFilter.ignoringSenders(java.nio.ByteOrder.nativeOrder(), portIds));
    }

    /** The events socket's receive buffer as granted by the kernel (bytes). */
    public int receiveBufferSize() {
        return events.receiveBufferSize();
    }

    /** Whether the kernel filters the events (scope FTP on a real socket). */
    public boolean kernelFiltered() {
        return events.kernelFiltered();
    }

    /** How many snapshots were taken (1 after the initial one; more after losses). */
    public long snapshots() {
        return snapshots;
    }

    private void run() {
        boolean needSnapshot = true;
        boolean afterLoss = false;
        EventHandler handler = new EventHandler() {
            @Override
            public void onConntrack(ConntrackEvent event) {
                listener.onEvent(event);
            }

            @Override
            public void onExpectation(ExpectationEvent event) {
                listener.onExpectationEvent(event);
            }

            @Override
            public void onEventsLost() {
                lost = true;
            }
        };
        while (running) {
            try {
                if (needSnapshot) {
                    listener.onSnapshotBegin(afterLoss);
                    if (scope == Scope.FTP) {
                        FtpScope.dump(client, listener::onConntrack);
                    } else {
                        client.dump(ConntrackFilter.all(), listener::onConntrack);
                    }
                    client.dumpExpectations(0, listener::onExpectation);
                    listener.onSnapshotEnd();
                    snapshots++;
                    needSnapshot = false;
                }
                events.poll(handler, 200);
                if (lost) {
                    lost = false;
                    needSnapshot = true;
                    afterLoss = true;
                }
            } catch (NetlinkException e) {
                listener.onError(e);
                needSnapshot = true;
                afterLoss = true;
                sleepQuietly();
            } catch (RuntimeException e) {
                listener.onError(new NetlinkException("conntrack monitor listener", String.valueOf(e)));
                needSnapshot = true;
                afterLoss = true;
                sleepQuietly();
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /** Stops the thread (within ~200 ms) and closes both sockets. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
        client.close();
    }
}
