package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", description = {
        "Apply the policy and keep serving it.",
        "SIGHUP re-reads the policy (a bad one is refused and the running ruleset stays); SIGTERM stops.",
        "The kernel rules stay in place on exit, so a restart never cuts a transfer; 'ftpnatd flush'",
        "removes them."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    CommonOptions common;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy (YAML).")
    Path policy;

    @Option(names = "--flush-on-exit", description = "Remove the table when the daemon stops (cuts FTP through the router).")
    boolean flushOnExit;

    @Override
    public Integer call() throws Exception {
        common.applyLogLevel();
        try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
            KernelCapabilities caps = kernel.capabilities();
            caps.warnings().forEach(log::warn);
            if (!caps.complete()) {
                log.error("the kernel lacks what ftpnatd needs; nothing was changed:\n{}", caps.describeMissing());
                return ExitCode.KERNEL;
            }
            log.info("kernel capabilities: {}", caps.summary());

            SignalQueue signals = new SignalQueue();
            PolicyApplier applier = new PolicyApplier(new PolicyLoader(InterfaceCatalog.system()),
                    new RulesetRenderer(common.table), kernel);
            AppliedPolicy current;
            try {
                current = applier.apply(policy);
            } catch (PolicyException e) {
                log.error("policy rejected, nothing applied:\n{}", e.getMessage());
                return ExitCode.INVALID_POLICY;
            } catch (NftException e) {
                log.error("policy rejected by the kernel, nothing applied: {}", e.getMessage());
                return ExitCode.KERNEL;
            }
            log.info("policy applied from {}: {}", policy, current.describe());

            while (true) {
                SignalQueue.Event event = signals.take();
                if (event == SignalQueue.Event.STOP) {
                    break;
                }
                log.info("SIGHUP: re-reading {}", policy);
                try {
                    AppliedPolicy next = applier.apply(policy);
                    if (next.ruleset().digest().equals(current.ruleset().digest())) {
                        log.info("policy applied from {}: unchanged ({})", policy, next.describe());
                    } else {
                        log.info("policy applied from {}: {} (was digest {})", policy, next.describe(), current.ruleset().digest());
                    }
                    current = next;
                } catch (PolicyException e) {
                    log.error("policy rejected; the running ruleset (digest {}) stays in place:\n{}",
                            current.ruleset().digest(), e.getMessage());
                } catch (NftException e) {
                    log.error("policy rejected by the kernel; the running ruleset (digest {}) stays in place: {}",
                            current.ruleset().digest(), e.getMessage());
                }
            }

            if (flushOnExit) {
                kernel.flush(common.table);
                log.info("stopping; table inet {} removed (--flush-on-exit)", common.table);
            } else {
                log.info("stopping; table inet {} stays in place so FTP through the router keeps working"
                        + " ('ftpnatd flush' removes it)", common.table);
            }
            return ExitCode.OK;
        }
    }
}
