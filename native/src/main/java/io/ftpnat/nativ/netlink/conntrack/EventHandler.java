package io.ftpnat.nativ.netlink.conntrack;

/**
 * Receives conntrack and expectation events. {@link #onEventsLost()} is the explicit "you may
 * have missed events" signal: the kernel dropped messages because the socket's receive buffer
 * was full (ENOBUFS). The consumer must then resynchronise by dumping the table (the events
 * socket stays subscribed, so dump after the signal and merge, as conntrackd does).
 */
public interface EventHandler {
    void onConntrack(ConntrackEvent event);

    default void onExpectation(ExpectationEvent event) {
    }

    /** Called after the events still queued were delivered (the socket is drained): resync now. */
    default void onEventsLost() {
    }
}
