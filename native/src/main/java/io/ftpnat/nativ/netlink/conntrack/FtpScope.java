package io.ftpnat.nativ.netlink.conntrack;

import io.ftpnat.nativ.netlink.NetlinkException;

/**
 * What of the conntrack table concerns FTP, for dumps: connections with a helper attached
 * ({@code IPS_HELPER}, set by nft's {@code ct helper set}) and connections born from an
 * expectation ({@code IPS_EXPECTED}: data connections). The kernel filters the dump by status
 * (CTA_STATUS + CTA_STATUS_MASK, Linux 6.0+; an older kernel ignores the attributes and
 * {@link ConntrackFilter#matches} drops the rest on our side), so a resync on a router with
 * 100,000 unrelated connections reads only the few that matter.
 *
 * <p>A status filter compares one value under a mask, so "helper or expected" is two dumps; the
 * second excludes what has both bits, which the first already returned.
 */
public final class FtpScope {
    private static final int MAX_ATTEMPTS = 4;
    static final ConntrackFilter WITH_HELPER = ConntrackFilter.all().with(Status.HELPER);
    static final ConntrackFilter EXPECTED_ONLY = ConntrackFilter.all()
            .status(Status.EXPECTED.mask(), Status.EXPECTED.mask() | Status.HELPER.mask());

    private FtpScope() {
    }

    /** Whether an entry is in scope: the same criterion as the dump (and the event filter's superset). */
    public static boolean concerns(Conntrack c) {
        return c.has(Status.HELPER) || c.has(Status.EXPECTED) || c.master() != null
                || (c.helper() != null && c.helper().startsWith("ftp"));
    }

    /** A filtered conntrack dump: {@link ConntrackClient#dump}, or any layer above it. */
    @FunctionalInterface
    public interface Dumper {
        long dump(ConntrackFilter filter, DumpConsumer<Conntrack> consumer) throws NetlinkException;
    }

    /**
     * Streams every in-scope entry to {@code consumer} (two kernel-filtered dumps); returns how
     * many. When the second dump is interrupted (the consumer was told to restart), both run again.
     */
    public static long dump(ConntrackClient client, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        return dump(client::dump, consumer);
    }

    /** As {@link #dump(ConntrackClient, DumpConsumer)}, through any dumper. */
    public static long dump(Dumper client, DumpConsumer<Conntrack> consumer) throws NetlinkException {
        boolean[] restarted = new boolean[1];
        DumpConsumer<Conntrack> watch = new DumpConsumer<>() {
            @Override
            public void accept(Conntrack c) {
                consumer.accept(c);
            }

            @Override
            public void restart() {
                restarted[0] = true;
                consumer.restart();
            }
        };
        for (int attempt = 1; ; attempt++) {
            long n = client.dump(WITH_HELPER, consumer);
            restarted[0] = false;
            n += client.dump(EXPECTED_ONLY, watch);
            if (!restarted[0]) {
                return n;
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new NetlinkException("dump FTP conntrack entries", "interrupted by table changes " + attempt + " times");
            }
            consumer.restart(); // the first dump's entries were dropped with the second's restart
        }
    }
}
