package io.ftpnat.kernel;

import io.ftpnat.ruleset.Ruleset;
import java.util.Optional;

/**
 * Kernel verbs for the daemon's nftables table: apply (with the run-time elements), check, flush,
 * list. Each is one kernel transaction: a ruleset is in place whole or not at all, and a failed
 * apply leaves the previous one serving, with its elements.
 */
public interface KernelRuleset extends AutoCloseable {
    /** Probes what the kernel offers (nf_tables, conntrack, the ftp helper, NAT) without changing anything. */
    KernelCapabilities capabilities();

    /** Validates the ruleset in the kernel without changing anything. */
    void check(Ruleset ruleset) throws RulesetException;

    /**
     * Replaces the table with this ruleset atomically, the live run-time elements (data channels,
     * watched addresses) included in the same transaction.
     */
    void apply(Ruleset ruleset) throws RulesetException;

    /** Removes the table; returns false when there was none. */
    boolean flush(String table) throws RulesetException;

    /** The table as the kernel holds it now ({@code nft list table}), if it exists. */
    Optional<String> list(String table, boolean json) throws RulesetException;

    @Override
    void close();
}
