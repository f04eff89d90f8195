package io.ftpnat.alg;

import java.io.IOException;

/**
 * The ALG's kernel verbs for data connections (as OpenBSD ftp-proxy's add_rdr/add_nat): the
 * session logic never talks to nftables itself. {@link #install} is one kernel transaction.
 */
public interface DataChannelTable {
    /** Lets exactly this connection through, for at most the table's timeout. */
    void install(ChannelElement channel) throws IOException;

    /** Withdraws it; an element the kernel already timed out is not an error. */
    void remove(ChannelElement channel);

    /**
     * Withdraws {@code old} and lets {@code next} through; a table that can do both in one
     * kernel transaction does (a new PASV/PORT replacing the session's pending channel).
     */
    default void replace(ChannelElement old, ChannelElement next) throws IOException {
        remove(old);
        install(next);
    }
}
