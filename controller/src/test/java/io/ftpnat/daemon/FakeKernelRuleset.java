package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.ruleset.Ruleset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A kernel that holds one table in memory and can be told to refuse the next apply. */
final class FakeKernelRuleset implements KernelRuleset {
    Ruleset installed;
    int applies;
    String refuseWith;

    @Override
    public KernelCapabilities capabilities() {
        return new KernelCapabilities(Map.of(), List.of());
    }

    @Override
    public void check(Ruleset ruleset) throws RulesetException {
        if (refuseWith != null) {
            throw new RulesetException("nftables rejected the ruleset (dry run):\n" + refuseWith);
        }
    }

    @Override
    public void apply(Ruleset ruleset) throws RulesetException {
        if (refuseWith != null) {
            throw new RulesetException("nftables rejected the ruleset:\n" + refuseWith);
        }
        applies++;
        installed = ruleset;
    }

    @Override
    public boolean flush(String table) {
        boolean had = installed != null;
        installed = null;
        return had;
    }

    @Override
    public Optional<String> list(String table, boolean json) {
        return Optional.ofNullable(installed).map(Ruleset::text);
    }

    @Override
    public void close() {
    }
}
