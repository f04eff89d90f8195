package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.nftables.Concat;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.ruleset.TableObjects;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data channels as elements of the maps {@code proxy_dnat4/6} and {@code proxy_snat4/6} in
 * ftpnatd's table (see the template), each with the policy's data timeout, so an unused one
 * vanishes from the kernel on its own even if the daemon is gone.
 *
 * <p>Elements are written as nf_tables netlink batches of typed values (addresses and ports, never
 * text): one batch per change is one kernel transaction, a few microseconds, where a libnftables
 * text command parsed text and refreshed its cache for about a millisecond (docs/benchmarks.md).
 */
public final class NftDataChannelTable implements DataChannelTable {
    private static final Logger log = LoggerFactory.getLogger(NftDataChannelTable.class);

    /** Carries a batch to the kernel (the daemon's: an {@code NftElements} socket). */
    @FunctionalInterface
    public interface Sender {
        void apply(ElementBatch batch) throws NetlinkException;
    }

    private final Sender kernel;
    private final String table;
    private final Supplier<Duration> timeout;

    /** With the timeout of the policy in force, read at each install (a policy apply may change it). */
    public NftDataChannelTable(Sender kernel, String table, Supplier<Duration> timeout) {
        this.kernel = kernel;
        this.table = table;
        this.timeout = timeout;
    }

    @Override
    public void install(DataChannel c) throws IOException {
        try {
            kernel.apply(add(ElementBatch.forTable(table), c));
        } catch (NetlinkException e) {
            throw new IOException("cannot install data channel " + c + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(DataChannel c) {
        try {
            kernel.apply(withdraw(ElementBatch.forTable(table), c));
        } catch (NetlinkException e) {
            log.warn("cannot withdraw data channel {}: {} (its timeout will)", c, e.getMessage());
        }
    }

    @Override
    public void replace(DataChannel old, DataChannel next) throws IOException {
        if (old.path() != DataChannel.Path.KERNEL) {
            DataChannelTable.super.replace(old, next);
            return;
        }
        try {
            kernel.apply(add(withdraw(ElementBatch.forTable(table), old), next));
        } catch (NetlinkException e) {
            throw new IOException("cannot install data channel " + next + ": " + e.getMessage(), e);
        }
    }

    /** The elements that let {@code c} through: a DNAT element and, when it has one, its SNAT element. */
    ElementBatch add(ElementBatch batch, DataChannel c) {
        Duration t = Duration.ofSeconds(Math.max(1, timeout.get().toSeconds()));
        batch.addMapElement(dnatMap(c), key(c.match()), Concat.of(ip(c.target()), c.targetPort()), t);
        c.snatTo().ifPresent(a -> batch.addMapElement(snatMap(c), key(c.afterDnat()), Concat.of(ip(a)), t));
        return batch;
    }

    /** Withdraws both elements whether they are there, expired or gone: never fails on an element of ours. */
    ElementBatch withdraw(ElementBatch batch, DataChannel c) {
        batch.destroyElement(dnatMap(c), key(c.match()));
        c.snatTo().ifPresent(a -> batch.destroyElement(snatMap(c), key(c.afterDnat())));
        return batch;
    }

    private static String dnatMap(DataChannel c) {
        return c.match().ipv4() ? TableObjects.PROXY_DNAT4 : TableObjects.PROXY_DNAT6;
    }

    private static String snatMap(DataChannel c) {
        return c.match().ipv4() ? TableObjects.PROXY_SNAT4 : TableObjects.PROXY_SNAT6;
    }

    private static Concat key(FlowKey k) {
        return Concat.of(ip(k.source()), ip(k.destination()), k.port());
    }

    private static IpAddress ip(java.net.InetAddress a) {
        return IpAddress.of(a);
    }
}
