package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capabilities", description = "Check what the kernel offers (nf_tables, conntrack, the ftp helper, NAT), changing nothing.")
final class CapabilitiesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.applyLogLevel();
        try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
            KernelCapabilities caps = kernel.capabilities();
            PrintWriter out = spec.commandLine().getOut();
            out.println(caps.summary());
            caps.warnings().forEach(w -> out.println("warning: " + w));
            if (!caps.complete()) {
                out.println(caps.describeMissing());
                return ExitCode.KERNEL;
            }
            return ExitCode.OK;
        }
    }
}
