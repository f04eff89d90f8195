package io.ftpnat.kernel;

import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.ruleset.NftWords;
import io.ftpnat.ruleset.OwnTableOnly;
import io.ftpnat.ruleset.Ruleset;
import java.util.Optional;

/**
 * {@link KernelRuleset} on libnftables: a whole ruleset buffer is one netlink batch. The daemon's
 * one libnftables context: nothing else in the daemon runs nft text.
 */
public final class NftablesKernelRuleset implements KernelRuleset {
    private final NftContext nft;
    private final NetlinkElements elements;

    private NftablesKernelRuleset(NftContext nft, NetlinkElements elements) {
        this.nft = nft;
        this.elements = elements;
    }

    /** A context without run-time elements (ftpnatd check/flush/render, ftpnatctl table). */
    public static NftablesKernelRuleset open() throws RulesetException {
        return open(null);
    }

    /** The daemon's: an apply carries {@code elements}' live elements into the new table. */
    static NftablesKernelRuleset open(NetlinkElements elements) throws RulesetException {
        try {
            return new NftablesKernelRuleset(NftContext.open(), elements);
        } catch (NftException e) {
            throw wrap(e);
        }
    }

    @Override
    public synchronized KernelCapabilities capabilities() {
        return KernelCapabilities.probe(nft);
    }

    @Override
    public synchronized void check(Ruleset ruleset) throws RulesetException {
        OwnTableOnly.check(ruleset.text(), ruleset.table()); // a dry run reads include files too
        try {
            nft.check(ruleset.text());
        } catch (NftException e) {
            throw wrap(e);
        }
    }

    /**
     * The table and the live elements in one buffer, one transaction, under the element writer's
     * lock: no element can be added or withdrawn between the snapshot and the commit.
     */
    @Override
    public synchronized void apply(Ruleset ruleset) throws RulesetException {
        if (elements == null) {
            run(ruleset, ruleset.text());
            return;
        }
        synchronized (elements) {
            run(ruleset, ruleset.text() + elements.render(ruleset));
            elements.committed(ruleset);
        }
    }

    private void run(Ruleset ruleset, String text) throws RulesetException {
        OwnTableOnly.check(text, ruleset.table());
        try {
            nft.run(text);
        } catch (NftException e) {
            throw wrap(e);
        }
    }

    @Override
    public synchronized boolean flush(String table) throws RulesetException {
        try {
            if (!exists(table)) {
                return false;
            }
            nft.run(Ruleset.deleteCommand(table));
        } catch (NftException e) {
            throw wrap(e);
        }
        if (elements != null) {
            elements.cleared();
        }
        return true;
    }

    @Override
    public synchronized Optional<String> list(String table, boolean json) throws RulesetException {
        try {
            if (!exists(table)) {
                return Optional.empty();
            }
            String command = "list table inet " + NftWords.table(table);
            return Optional.of(json ? nft.runJson(command).output() : nft.run(command).output());
        } catch (NftException e) {
            throw wrap(e);
        }
    }

    private boolean exists(String table) throws NftException {
        return nft.run("list tables inet").output().lines().anyMatch(l -> l.trim().equals("table inet " + table));
    }

    private static RulesetException wrap(NftException e) {
        return new RulesetException(e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        nft.close();
    }
}
