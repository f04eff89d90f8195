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
    private final Duration timeout;

    public NftDataChannelTable(NftContext nft, String table, Duration timeout) {
        this.nft = nft;
        this.table = table;
        this.timeout = timeout;
    }

    @Override
    public void install(DataChannel c) throws IOException {
        String text = addCommands(c);
        try {
            // libnftables contexts are not thread-safe; sessions install from their own threads.
            synchronized (nft) {
                nft.run(text);
            }
        } catch (NftException e) {
            throw new IOException("cannot install data channel " + c + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(DataChannel c) {
        // One command each: the kernel may already have timed one of them out, and a failed
        // delete would take the other one down with it in a shared transaction.
        delete("delete element inet " + table + " " + dnatMap(c) + " { " + key(c.match()) + " }");
        c.snatTo().ifPresent(a -> delete("delete element inet " + table + " " + snatMap(c) + " { " + key(c.afterDnat()) + " }"));
    }

    String addCommands(DataChannel c) {
        long seconds = Math.max(1, timeout.toSeconds());
        StringBuilder sb = new StringBuilder();
        sb.append("add element inet ").append(table).append(' ').append(dnatMap(c)).append(" { ").append(key(c.match()))
                .append(" timeout ").append(seconds).append("s : ").append(Addresses.text(c.target())).append(" . ")
                .append(c.targetPort()).append(" }\n");
        c.snatTo().ifPresent(a -> sb.append("add element inet ").append(table).append(' ').append(snatMap(c)).append(" { ")
                .append(key(c.afterDnat())).append(" timeout ").append(seconds).append("s : ").append(Addresses.text(a))
                .append(" }\n"));
        return sb.toString();
    }

    private void delete(String command) {
        try {
            synchronized (nft) {
                nft.run(command);
            }
        } catch (NftException e) {
            log.debug("{}: {} (already expired?)", command, e.getMessage());
        }
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
