package io.ftpnat.daemon;

import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.ruleset.RulesetRenderer;
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

    @Mixin
    PolicyFileOption policy;

    @Option(names = "--check-interfaces", description = "Also require the policy's interfaces to exist on this host.")
    boolean checkInterfaces;

    @Override
    public Integer call() {
        common.applyLogLevel();
        return policy.load(checkInterfaces ? InterfaceCatalog.system() : InterfaceCatalog.anyName(), spec.commandLine().getErr())
                .map(p -> {
                    spec.commandLine().getOut().print(new RulesetRenderer(common.table).render(p).text());
                    spec.commandLine().getOut().flush();
                    return ExitCode.OK;
                })
                .orElse(ExitCode.INVALID_POLICY);
    }
}
