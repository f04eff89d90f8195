package io.ftpnat.alg;

import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.nativ.nft.NftException;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data channels as elements of the maps {@code proxy_dnat4/6} and {@code proxy_snat4/6} in
 * ftpnatd's table (see the template), each with the policy's data timeout, so an unused one
 * vanishes from the kernel on its own even if the daemon is gone.
 */
public final class NftDataChannelTable implements DataChannelTable {
    private static final Logger log = LoggerFactory.getLogger(NftDataChannelTable.class);

    private final NftContext nft;
    private final String table;
    private final java.util.function.Supplier<Duration> timeout;

    public NftDataChannelTable(NftContext nft, String table, Duration timeout) {
        this(nft, table, () -> timeout);
    }

    /** With the timeout of the policy in force, read at each install (a policy apply may change it). */
    public NftDataChannelTable(NftContext nft, String table, java.util.function.Supplier<Duration> timeout) {
        this.nft = nft;
        this.table = table;
        this.timeout = timeout;
    }

    @Override
    public void install(DataChannel c) throws IOException {
        try {
            run(addCommands(c));
        } catch (NftException e) {
            throw new IOException("cannot install data channel " + c + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(DataChannel c) {
        try {
            run(removeCommands(c));
        } catch (NftException e) {
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
            run(removeCommands(old) + addCommands(next));
        } catch (NftException e) {
            throw new IOException("cannot install data channel " + next + ": " + e.getMessage(), e);
        }
    }

    private void run(String text) throws NftException {
        // libnftables contexts are not thread-safe; sessions call from their own threads
        io.ftpnat.ruleset.OwnTableOnly.check(text, table); // built from typed values; checked once more
        synchronized (nft) {
            nft.run(text);
        }
    }

    /**
     * One transaction that always succeeds on an element of ours, present or already expired:
     * {@code add} with the data the element has is a no-op when it exists (nft 1.0.6 has no
     * {@code destroy}), and then the {@code delete} has something to delete.
     */
    String removeCommands(DataChannel c) {
        String dnatKey = key(c.match());
        StringBuilder sb = new StringBuilder();
        sb.append("add element inet ").append(table).append(' ').append(dnatMap(c)).append(" { ").append(dnatKey).append(" timeout 1s : ")
                .append(Addresses.text(c.target())).append(" . ").append(c.targetPort()).append(" }\n");
        sb.append("delete element inet ").append(table).append(' ').append(dnatMap(c)).append(" { ").append(dnatKey).append(" }\n");
        c.snatTo().ifPresent(a -> {
            String snatKey = key(c.afterDnat());
            sb.append("add element inet ").append(table).append(' ').append(snatMap(c)).append(" { ").append(snatKey)
                    .append(" timeout 1s : ").append(Addresses.text(a)).append(" }\n");
            sb.append("delete element inet ").append(table).append(' ').append(snatMap(c)).append(" { ").append(snatKey).append(" }\n");
        });
        return sb.toString();
    }

    String addCommands(DataChannel c) {
        long seconds = Math.max(1, timeout.get().toSeconds());
        StringBuilder sb = new StringBuilder();
        sb.append("add element inet ").append(table).append(' ').append(dnatMap(c)).append(" { ").append(key(c.match()))
                .append(" timeout ").append(seconds).append("s : ").append(Addresses.text(c.target())).append(" . ")
                .append(c.targetPort()).append(" }\n");
        c.snatTo().ifPresent(a -> sb.append("add element inet ").append(table).append(' ').append(snatMap(c)).append(" { ")
                .append(key(c.afterDnat())).append(" timeout ").append(seconds).append("s : ").append(Addresses.text(a))
                .append(" }\n"));
        return sb.toString();
    }

    private static String dnatMap(DataChannel c) {
        return c.match().ipv4() ? "proxy_dnat4" : "proxy_dnat6";
    }

    private static String snatMap(DataChannel c) {
        return c.match().ipv4() ? "proxy_snat4" : "proxy_snat6";
    }

    private static String key(FlowKey k) {
        return Addresses.text(k.source()) + " . " + Addresses.text(k.destination()) + " . " + k.port();
    }
}
