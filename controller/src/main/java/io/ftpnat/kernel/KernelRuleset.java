package io.ftpnat.kernel;

import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.ruleset.Ruleset;
import java.util.Optional;

/**
 * The daemon's verbs for its nftables table. Each is one kernel transaction: a ruleset is in
 * place whole or not at all, and a failed apply leaves the previous one serving.
 */
public interface KernelRuleset extends AutoCloseable {
    /** Probes what the kernel offers (nf_tables, conntrack, the ftp helper, NAT) without changing anything. */
    KernelCapabilities capabilities();

    /** Validates the ruleset in the kernel without changing anything. */
    void check(Ruleset ruleset) throws NftException;

    /** Replaces the table with this ruleset atomically. */
    void apply(Ruleset ruleset) throws NftException;

    /** Removes the table; returns false when there was none. */
    boolean flush(String table) throws NftException;

    /** The table as the kernel holds it now ({@code nft list table}), if it exists. */
    Optional<String> list(String table, boolean json) throws NftException;

    @Override
    void close();
}
