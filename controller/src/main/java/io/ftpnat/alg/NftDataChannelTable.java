package io.ftpnat.alg;

import io.ftpnat.kernel.DataChannelRule;
import io.ftpnat.kernel.DataChannels;
import io.ftpnat.nativ.netlink.NetlinkException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ALG's data channels that the kernel forwards: each is handed to the kernel boundary's
 * {@link DataChannels} verbs as a typed {@link DataChannelRule}, with the policy's data timeout,
 * so an unused one vanishes from the kernel on its own even if the daemon is gone.
 */
public final class NftDataChannelTable implements DataChannelTable {
    private static final Logger log = LoggerFactory.getLogger(NftDataChannelTable.class);

    private final DataChannels kernel;
    private final Supplier<Duration> timeout;

    /** With the timeout of the policy in force, read at each install (a policy apply may change it). */
    public NftDataChannelTable(DataChannels kernel, Supplier<Duration> timeout) {
        this.kernel = kernel;
        this.timeout = timeout;
    }

    @Override
    public void install(ChannelElement c) throws IOException {
        try {
            kernel.add(rule(c), timeout.get());
        } catch (NetlinkException e) {
            throw new IOException("cannot install data channel " + c + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(ChannelElement c) {
        try {
            kernel.remove(rule(c));
        } catch (NetlinkException e) {
            log.warn("cannot withdraw data channel {}: {} (its timeout will)", c, e.getMessage());
        }
    }

    @Override
    public void replace(ChannelElement old, ChannelElement next) throws IOException {
        if (old.path() != ChannelElement.Path.KERNEL) {
            DataChannelTable.super.replace(old, next);
            return;
        }
        try {
            kernel.replace(rule(old), rule(next), timeout.get());
        } catch (NetlinkException e) {
            throw new IOException("cannot install data channel " + next + ": " + e.getMessage(), e);
        }
    }

    static DataChannelRule rule(ChannelElement c) {
        return new DataChannelRule(c.match().source(), c.match().destination(), c.match().port(), c.target(), c.targetPort(),
                c.snatTo());
    }
}
