package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.Policy;
import io.ftpnat.ruleset.Ruleset;
import io.ftpnat.ruleset.RulesetRenderer;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", description = {
        "Validate a policy without applying it.",
        "Checks the YAML, every field, the rules against each other, the interfaces of this host,",
        "and the rendered ruleset in a kernel dry run.",
        "Exit 0 when valid, 1 when not (for Ansible's validate:)."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    PolicyFileOption policy;

    @Option(names = "--offline", description = "Skip what needs this host: the interface names and the kernel dry run.")
    boolean offline;

    @Override
    public Integer call() {
        common.applyLogLevel();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Policy> loaded = policy.load(offline ? InterfaceCatalog.anyName() : InterfaceCatalog.system(), err);
        if (loaded.isEmpty()) {
            return ExitCode.INVALID_POLICY;
        }
        Policy parsed = loaded.get();
        Ruleset ruleset = new RulesetRenderer(common.table).render(parsed);
        if (!offline) {
            try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
                kernel.check(ruleset);
            } catch (RulesetException e) {
                err.println("policy " + policy.path + " is valid, but the kernel refused its ruleset in a dry run:");
                err.println(e.getMessage());
                return ExitCode.KERNEL;
            }
        }
        out.println("policy " + policy.path + " is valid: " + parsed.snat().size() + " snat and " + parsed.dnat().size()
                + " dnat rules, ruleset digest " + ruleset.digest() + (offline ? " (offline: interfaces and kernel not checked)" : ""));
        return ExitCode.OK;
    }
}
