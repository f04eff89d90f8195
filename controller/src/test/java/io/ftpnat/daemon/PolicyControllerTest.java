package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.kernel.RulesetException;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload, as SIGHUP triggers it: a good policy replaces the ruleset, a bad one changes nothing. */
class PolicyControllerTest {
    @TempDir
    Path dir;

    private final FakeKernelRuleset kernel = new FakeKernelRuleset();

    private PolicyController controller(Path file) {
        return new PolicyController(file, new PolicyLoader(InterfaceCatalog.anyName()), new RulesetRenderer(), kernel);
    }

    @Test
    void anInvalidPolicyNeverReachesTheKernel() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController applier = controller(policy);
        AppliedPolicy first = applier.applyFile();
        assertThat(kernel.installed).isEqualTo(first.ruleset());

        Files.writeString(policy, "version: 1\nsnat:\n  - name: lan\n    source: 10.10.10.0/40\n    out_interface: r1\n");
        assertThatThrownBy(() -> applier.applyFile()).isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy.yaml:4:13: snat[0].source");
        assertThat(kernel.applies).isEqualTo(1);
        assertThat(kernel.installed).isEqualTo(first.ruleset());
    }

    @Test
    void aRulesetTheKernelRefusesLeavesTheOldOneInPlace() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController applier = controller(policy);
        AppliedPolicy first = applier.applyFile();

        kernel.refuseWith = "Error: Could not process rule: No such file or directory";
        Files.copy(Path.of("../docs/examples/nonstandard-port.yaml"), policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> applier.applyFile()).isInstanceOf(RulesetException.class)
                .hasMessageContaining("Could not process rule");
        assertThat(kernel.installed).isEqualTo(first.ruleset());
    }

    @Test
    void aPolicyAppliedAsTextIsWrittenToTheFileOnlyOnceTheKernelHasIt() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController applier = controller(policy);
        AppliedPolicy first = applier.applyFile();
        String next = Files.readString(Path.of("../docs/examples/nonstandard-port.yaml"));

        kernel.refuseWith = "Error: refused";
        assertThatThrownBy(() -> applier.applyText(next, "next.yaml")).isInstanceOf(RulesetException.class);
        assertThat(Files.readString(policy)).isEqualTo(Files.readString(Path.of("../docs/examples/reference-lab.yaml")));
        assertThat(applier.current()).contains(first);

        kernel.refuseWith = null;
        AppliedPolicy second = applier.applyText(next, "next.yaml");
        assertThat(Files.readString(policy)).isEqualTo(next);
        assertThat(kernel.installed).isEqualTo(second.ruleset());
        assertThat(applier.appliedCount()).isEqualTo(2);
        assertThat(applier.rejectedCount()).isEqualTo(1);
    }

    @Test
    void aBadPolicyTextLeavesFileAndKernelAlone() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController applier = controller(policy);
        applier.applyFile();
        assertThatThrownBy(() -> applier.applyText("version: 1\nsnat: 3\n", policy.toString()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining(policy + ":2:7: snat: expected a list");
        assertThat(Files.readString(policy)).isEqualTo(Files.readString(Path.of("../docs/examples/reference-lab.yaml")));
        assertThat(kernel.applies).isEqualTo(1);
    }

    @Test
    void aRollbackTellsTheListenersThePolicyThatIsBackInForce() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController applier = controller(policy);
        AppliedPolicy first = applier.applyFile();
        java.util.List<AppliedPolicy> heard = new java.util.ArrayList<>();
        applier.onApplied(heard::add);

        // the policy file cannot be replaced (a non-empty directory took its place, as no permission stops root):
        // the kernel had the new ruleset, then gets the old one back
        Files.delete(policy);
        Files.writeString(Files.createDirectory(policy).resolve("x"), "");
        String next = Files.readString(Path.of("../docs/examples/nonstandard-port.yaml"));
        assertThatThrownBy(() -> applier.applyText(next, "next.yaml")).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("the previous ruleset was restored");
        assertThat(kernel.installed).isEqualTo(first.ruleset());
        assertThat(applier.current()).contains(first);
        assertThat(heard).hasSize(2);
        assertThat(heard.get(0).ruleset()).isNotEqualTo(first.ruleset());
        assertThat(heard.get(1)).isEqualTo(first);
    }
}
