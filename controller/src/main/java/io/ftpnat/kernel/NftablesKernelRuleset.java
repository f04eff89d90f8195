package io.ftpnat.kernel;

import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.ruleset.NftWords;
import io.ftpnat.ruleset.OwnTableOnly;
import io.ftpnat.ruleset.Ruleset;
import java.util.Optional;

/** {@link KernelRuleset} on libnftables: a whole ruleset buffer is one netlink batch. */
public final class NftablesKernelRuleset implements KernelRuleset {
    private final NftContext nft;

    private NftablesKernelRuleset(NftContext nft) {
        this.nft = nft;
    }

    public static NftablesKernelRuleset open() throws NftException {
        return new NftablesKernelRuleset(NftContext.open());
    }

    @Override
    public synchronized KernelCapabilities capabilities() {
        return KernelCapabilities.probe(nft);
    }

    @Override
    public synchronized void check(Ruleset ruleset) throws NftException {
        OwnTableOnly.check(ruleset.text(), ruleset.table()); // a dry run reads include files too
        nft.check(ruleset.text());
    }

    @Override
    public synchronized void apply(Ruleset ruleset) throws NftException {
        OwnTableOnly.check(ruleset.text(), ruleset.table());
        nft.run(ruleset.text());
    }

    @Override
    public synchronized boolean flush(String table) throws NftException {
        if (!exists(table)) {
            return false;
        }
        nft.run(Ruleset.deleteCommand(table));
        return true;
    }

    @Override
    public synchronized Optional<String> list(String table, boolean json) throws NftException {
        if (!exists(table)) {
            return Optional.empty();
        }
        String command = "list table inet " + NftWords.table(table);
        return Optional.of(json ? nft.runJson(command).output() : nft.run(command).output());
    }

    private boolean exists(String table) throws NftException {
        return nft.run("list tables inet").output().lines().anyMatch(l -> l.trim().equals("table inet " + table));
    }

    @Override
    public synchronized void close() {
        nft.close();
    }
}
