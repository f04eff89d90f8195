package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload, as SIGHUP triggers it: a good policy replaces the ruleset, a bad one changes nothing. */
class PolicyApplierTest {
    @TempDir
    Path dir;

    private final FakeKernelRuleset kernel = new FakeKernelRuleset();
    private final PolicyApplier applier = new PolicyApplier(new PolicyLoader(InterfaceCatalog.anyName()), new RulesetRenderer(), kernel);

    @Test
    void anInvalidPolicyNeverReachesTheKernel() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        AppliedPolicy first = applier.apply(policy);
        assertThat(kernel.installed).isEqualTo(first.ruleset());

        Files.writeString(policy, "version: 1\nsnat:\n  - name: lan\n    source: 10.10.10.0/40\n    out_interface: r1\n");
        assertThatThrownBy(() -> applier.apply(policy)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy.yaml:4:13: snat[0].source");
        assertThat(kernel.applies).isEqualTo(1);
        assertThat(kernel.installed).isEqualTo(first.ruleset());
    }

    @Test
    void aRulesetTheKernelRefusesLeavesTheOldOneInPlace() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        AppliedPolicy first = applier.apply(policy);

        kernel.refuseWith = "Error: Could not process rule: No such file or directory";
        Files.copy(Path.of("../docs/examples/nonstandard-port.yaml"), policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> applier.apply(policy)).isInstanceOf(NftException.class)
                .hasMessageContaining("Could not process rule");
        assertThat(kernel.installed).isEqualTo(first.ruleset());
    }
}
