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
        "Checks the YAML, every field, the rules against each other, and the rendered ruleset in a",
        "kernel dry run. An interface that does not exist here (yet) is a warning, not an error.",
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
        // A missing interface is a warning, not a problem: nftables matches names, and the rule
        // applies once the interface appears (a late ppp0 at boot).
        Optional<Policy> loaded = policy.load(InterfaceCatalog.anyName(), err);
        if (loaded.isEmpty()) {
            return ExitCode.INVALID_POLICY;
        }
        Policy parsed = loaded.get();
        if (!offline) {
            io.ftpnat.policy.MissingInterfaces.of(parsed, InterfaceCatalog.system()).forEach(m -> err.println("warning: " + m));
        }
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
