package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The netlink port ids of the daemon's sockets of one kind that write kernel state (the session
 * model's expectations, or the run-time elements), and the listeners that need not hear of those
 * writes: the kernel tells them with the writer's port id in nlmsg_pid, and each listener's socket
 * filter drops them before they are queued.
 *
 * <p>Why: a repair's expectation and its watched address would otherwise wake the conntrack
 * monitor and the table watch, on the router's other core, while the held reply still waits for
 * the same repair; the daemon already knows what it wrote.
 *
 * <p>A port id is listed only while its socket is open: a closed socket's id can be taken by
 * another process (conntrackd, nft), whose notifications must still be heard. So a writer says
 * {@link #closing} before it closes its socket.
 */
final class OwnWriters {
    private static final Logger log = LoggerFactory.getLogger(OwnWriters.class);

    /** A listener's socket filter: drop what these port ids cause (replacing the previous list). */
    @FunctionalInterface
    interface Listener {
        boolean ignore(int[] portIds) throws NetlinkException;
    }

    private final String what;
    private final Set<Integer> portIds = new LinkedHashSet<>();
    private final List<Listener> listeners = new ArrayList<>();

    /** @param what the writes, for logs ("expectations", "elements") */
    OwnWriters(String what) {
        this.what = what;
    }

    /** A writer socket opened: its writes need not reach the listeners. Port id 0: not a socket (a fake). */
    synchronized void opened(int portId) {
        if (portId != 0 && portIds.add(portId)) {
            refilter();
        }
    }

    /** A writer socket is about to close: everything with its port id must reach the listeners again. */
    synchronized void closing(int portId) {
        if (portIds.remove(portId)) {
            refilter();
        }
    }

    /** Filters {@code listener}'s socket now and whenever the list changes. */
    synchronized void listen(Listener listener) {
        listeners.add(listener);
        apply(listener);
    }

    synchronized void unlisten(Listener listener) {
        listeners.remove(listener);
    }

    private void refilter() {
        listeners.forEach(this::apply);
    }

    private void apply(Listener listener) {
        int[] ids = portIds.stream().mapToInt(Integer::intValue).toArray();
        try {
            if (!listener.ignore(ids)) {
                log.debug("own {}: this socket cannot be filtered; the daemon hears its own writes", what);
            }
        } catch (NetlinkException e) {
            // the kernel kept the previous program: after a close it may still drop a closed socket's id (rare; logged)
            log.warn("own {}: could not refilter a listener for port ids {}: {}", what, ids, e.getMessage());
        }
    }
}
