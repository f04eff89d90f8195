package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import java.time.Duration;

/**
 * Kernel verbs "add/remove data channel": the ALG's data connections as elements of the
 * proxy maps of the daemon's table. Each call is one kernel transaction; an element lives at most
 * {@code timeout}, so an unused one vanishes from the kernel on its own even if the daemon is gone.
 */
public interface DataChannels {
    void add(DataChannelRule rule, Duration timeout) throws NetlinkException;

    /** Withdraws it; an element the kernel already timed out is not an error. */
    void remove(DataChannelRule rule) throws NetlinkException;

    /** Withdraws {@code old} and adds {@code next} in one transaction. */
    void replace(DataChannelRule old, DataChannelRule next, Duration timeout) throws NetlinkException;
}
