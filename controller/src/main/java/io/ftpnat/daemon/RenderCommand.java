package io.ftpnat.daemon;

import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "render", description = "Print the nftables ruleset a policy becomes, without touching the kernel.")
final class RenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy (YAML).")
    Path policy;

    @Option(names = "--check-interfaces", description = "Also require the policy's interfaces to exist on this host.")
    boolean checkInterfaces;

    @Override
    public Integer call() {
        common.applyLogLevel();
        try {
            var loader = new PolicyLoader(checkInterfaces ? InterfaceCatalog.system() : InterfaceCatalog.anyName());
            spec.commandLine().getOut().print(new RulesetRenderer(common.table).render(loader.load(policy)).text());
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        } catch (PolicyException e) {
            spec.commandLine().getErr().println("policy " + policy + " is invalid:");
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCode.INVALID_POLICY;
        }
    }
}
