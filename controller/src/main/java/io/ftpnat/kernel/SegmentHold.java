package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import java.util.function.Consumer;

/**
 * The kernel verbs for holding a control segment (a server's 227/228, or a client's SYN to an
 * address a repaired 227 advertised) until the daemon's repair is in, then letting it go on.
 * What is held is decided by the ruleset (the {@code hold_*} chains); this boundary installs the
 * queueing rule into a table, hands out held packets and releases them.
 *
 * <p>Threading: {@link #awaitHeld} from one thread; {@link #release} from any thread (serialised
 * here); {@link #installInto} from the thread that applies rulesets.
 */
public interface SegmentHold extends AutoCloseable {
    /** A packet the kernel holds: its id (for {@link #release}), the hook that held it, the network-layer packet. */
    record Held(long id, int hook, byte[] packet) {
        /** The netfilter hook numbers of the ruleset's hold chains. */
        public static final int PREROUTING = 0;
        public static final int FORWARD = 2;
    }

    /** Appends the queueing rule to the hold chain of {@code table} (after every apply: an apply replaces the table). */
    void installInto(String table) throws NetlinkException;

    /** Waits at most {@code timeoutMillis} for held packets and hands each to {@code handler}; the number handed, -1 on timeout. */
    int awaitHeld(Consumer<Held> handler, int timeoutMillis) throws NetlinkException;

    /** Lets a held packet go on (NF_ACCEPT). Never drops: a hold only ever delays. */
    void release(long id) throws NetlinkException;

    /** How the kernel queues (for logs and status): nft_queue or the xtables NFQUEUE target. */
    String mechanism();

    /** Times the queue socket's buffer overflowed (those packets were let through unheld or lost to the deadline). */
    long overflows();

    @Override
    void close();
}
