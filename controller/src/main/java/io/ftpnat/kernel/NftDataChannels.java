package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nftables.Concat;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.ruleset.TableObjects;
import java.time.Duration;

/**
 * {@link DataChannels} as elements of the maps {@code proxy_dnat4/6} and {@code proxy_snat4/6}
 * (see the template), written as nf_tables netlink batches of typed values: one batch per change
 * is one kernel transaction, a few microseconds, where a libnftables text command parsed text and
 * refreshed its cache for about a millisecond (docs/benchmarks.md).
 */
public final class NftDataChannels implements DataChannels {
    /** Carries a batch to the kernel (the daemon's: {@link NetlinkElements}, which also keeps the ledger). */
    @FunctionalInterface
    public interface Sender {
        void apply(ElementBatch batch) throws NetlinkException;
    }

    private final Sender kernel;
    private final String table;

    public NftDataChannels(Sender kernel, String table) {
        this.kernel = kernel;
        this.table = table;
    }

    @Override
    public void add(DataChannelRule rule, Duration timeout) throws NetlinkException {
        kernel.apply(add(ElementBatch.forTable(table), rule, timeout));
    }

    @Override
    public void remove(DataChannelRule rule) throws NetlinkException {
        kernel.apply(withdraw(ElementBatch.forTable(table), rule));
    }

    @Override
    public void replace(DataChannelRule old, DataChannelRule next, Duration timeout) throws NetlinkException {
        kernel.apply(add(withdraw(ElementBatch.forTable(table), old), next, timeout));
    }

    /** The elements that let {@code c} through: a DNAT element and, when it has one, its SNAT element. */
    static ElementBatch add(ElementBatch batch, DataChannelRule c, Duration timeout) {
        Duration t = Duration.ofSeconds(Math.max(1, timeout.toSeconds()));
        batch.addMapElement(dnatMap(c), match(c), Concat.of(c.target(), c.targetPort()), t);
        c.snatTo().ifPresent(a -> batch.addMapElement(snatMap(c), afterDnat(c), Concat.of(a), t));
        return batch;
    }

    /** Withdraws both elements whether they are there, expired or gone: never fails on an element of ours. */
    static ElementBatch withdraw(ElementBatch batch, DataChannelRule c) {
        batch.destroyElement(dnatMap(c), match(c));
        c.snatTo().ifPresent(a -> batch.destroyElement(snatMap(c), afterDnat(c)));
        return batch;
    }

    private static String dnatMap(DataChannelRule c) {
        return c.ipv4() ? TableObjects.PROXY_DNAT4 : TableObjects.PROXY_DNAT6;
    }

    private static String snatMap(DataChannelRule c) {
        return c.ipv4() ? TableObjects.PROXY_SNAT4 : TableObjects.PROXY_SNAT6;
    }

    private static Concat match(DataChannelRule c) {
        return Concat.of(c.source(), c.destination(), c.port());
    }

    /** The key of the SNAT map: the packet as it looks after the DNAT. */
    private static Concat afterDnat(DataChannelRule c) {
        return Concat.of(c.source(), c.target(), c.targetPort());
    }
}
