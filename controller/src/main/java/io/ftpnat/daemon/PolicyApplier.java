package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.Ruleset;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Policy file to kernel: load and validate, render, apply as one transaction. Any failure before
 * the transaction commits leaves the kernel exactly as it was.
 */
public final class PolicyApplier {
    private final PolicyLoader loader;
    private final RulesetRenderer renderer;
    private final KernelRuleset kernel;

    public PolicyApplier(PolicyLoader loader, RulesetRenderer renderer, KernelRuleset kernel) {
        this.loader = loader;
        this.renderer = renderer;
        this.kernel = kernel;
    }

    public AppliedPolicy apply(Path file) throws PolicyException, NftException {
        Policy policy = loader.load(file);
        Ruleset ruleset = renderer.render(policy);
        kernel.apply(ruleset);
        return new AppliedPolicy(policy, ruleset, Instant.now());
    }

    /** Everything {@link #apply} does short of committing: the kernel validates the ruleset in a dry run. */
    public Ruleset check(Path file) throws PolicyException, NftException {
        Ruleset ruleset = renderer.render(loader.load(file));
        kernel.check(ruleset);
        return ruleset;
    }
}
