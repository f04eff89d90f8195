package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.kernel.RulesetException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "flush", description = {
        "Remove ftpnatd's table in one transaction.",
        "Established connections keep their NAT; new FTP sessions are no longer helped."})
final class FlushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.applyLogLevel();
        try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
            boolean removed = kernel.flush(common.table);
            spec.commandLine().getOut().println(removed ? "table inet " + common.table + " removed"
                    : "no table inet " + common.table + ": nothing to remove");
            return ExitCode.OK;
        } catch (RulesetException e) {
            spec.commandLine().getErr().println("cannot remove table inet " + common.table + ": " + e.getMessage());
            return ExitCode.KERNEL;
        }
    }
}
