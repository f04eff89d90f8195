package io.ftpnat.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rendered ruleset, read as an operator would read it, and checked by the kernel itself in a
 * libnftables dry run (validated, then aborted: nothing changes in this namespace).
 */
class RulesetRendererTest {
    private final PolicyLoader loader = new PolicyLoader(InterfaceCatalog.anyName());
    private final RulesetRenderer renderer = new RulesetRenderer();

    static Stream<Path> examples() throws Exception {
        return Files.list(Path.of("../docs/examples")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyDocumentedExampleRendersToARulesetTheKernelAccepts(Path example) throws Exception {
        Ruleset ruleset = renderer.render(loader.load(example));
        try (NftContext nft = NftContext.open()) {
            assertThat(nft.check(ruleset.text()).error()).isEmpty();
        }
    }

    @Test
    void everyTemplateBranchRendersToARulesetTheKernelAccepts() throws Exception {
        Policy all = loader.parse("""
                version: 1
                control_ports: [21, 2121]
                snat:
                  - name: masq4
                    source: 10.10.10.0/24
                    out_interface: r1
                  - name: fixed4
                    source: 10.20.0.0/16
                    out_interface: r1
                    to: 192.168.10.114
                    control_ports: [990]
                  - name: fixed6
                    source: fd00:10::/64
                    out_interface: r1
                    to: fd00:192::114
                dnat:
                  - name: v4
                    in_interface: r0
                    destination: 10.10.10.1
                    to: 192.168.10.115
                    passive_ports: 62000-62100
                  - name: v6-port
                    in_interface: r0
                    destination: fd00:10::1
                    port: 2121
                    to: "[fd00:192::115]:21"
                """, "all.yaml");
        Ruleset ruleset = renderer.render(all);
        try (NftContext nft = NftContext.open()) {
            assertThat(nft.check(ruleset.text()).error()).isEmpty();
        }
        assertThat(ruleset.text())
                .contains("oifname \"r1\" ip saddr 10.10.10.0/24 tcp dport { 21, 2121 } ct state new ct helper set \"ftpnat-ftp\"")
                .contains("oifname \"r1\" ip saddr 10.20.0.0/16 tcp dport 990 counter snat ip to 192.168.10.114")
                .contains("oifname \"r1\" ip6 saddr fd00:10::/64 tcp dport { 21, 2121 } counter snat ip6 to fd00:192::114")
                .contains("iifname \"r0\" ip daddr 10.10.10.1 tcp dport 62000-62100 counter dnat ip to 192.168.10.115")
                .contains("iifname \"r0\" ip6 daddr fd00:10::1 tcp dport 2121 counter dnat ip6 to [fd00:192::115]:21")
                .contains("iifname \"r0\" ip6 daddr fd00:10::1 tcp dport 2121 ct state new ct helper set \"ftpnat-ftp\"");
    }

    @Test
    void theHelperIsNeverAttachedWithoutAFlowMatch() throws Exception {
        Ruleset ruleset = renderer.render(loader.load(Path.of("../docs/examples/reference-lab.yaml")));
        assertThat(ruleset.text().lines().filter(l -> l.contains("ct helper set")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).containsPattern("(iifname|oifname) \"r[01]\" ip6? [sd]addr \\S+ tcp dport \\S+ ct state new"));
    }

    @Test
    void theReferenceLabRulesetIsTheCommittedOne() throws Exception {
        Ruleset ruleset = renderer.render(loader.load(Path.of("../docs/examples/reference-lab.yaml")));
        String expected = Files.readString(Path.of("src/test/resources/reference-lab.nft"));
        String rendered = ruleset.text().replaceFirst("rendered by ftpnatd \\S+\\.", "rendered by ftpnatd VERSION.");
        assertThat(rendered).isEqualTo(expected);
    }

    @Test
    void proxyRulesAreDivertedToTheAlgAndGetNoHelper() throws Exception {
        Ruleset ruleset = renderer.render(loader.load(Path.of("../docs/examples/proxy-lab.yaml")));
        assertThat(ruleset.text())
                .contains("iifname \"r0\" ip daddr 10.10.10.1 tcp dport 21 counter redirect to :8021 comment \"dnat published: control to the proxy\"")
                .contains("ip saddr 10.10.10.0/24 tcp dport 21 fib daddr oifname \"r1\" counter redirect to :8021")
                .contains("ip6 saddr fd00:10::/64 tcp dport 21 fib daddr oifname \"r1\" counter redirect to :8021")
                .contains("dnat ip to ip saddr . ip daddr . tcp dport map @proxy_dnat4")
                .contains("snat ip6 to ip6 saddr . ip6 daddr . tcp dport map @proxy_snat6")
                .doesNotContain("ct helper set")
                .doesNotContain("masquerade");
        String expected = Files.readString(Path.of("src/test/resources/proxy-lab.nft"));
        assertThat(ruleset.text().replaceFirst("rendered by ftpnatd \\S+\\.", "rendered by ftpnatd VERSION.")).isEqualTo(expected);
    }

    @Test
    void kernelOnlyPoliciesHaveNoProxyChains() throws Exception {
        Ruleset ruleset = renderer.render(loader.load(Path.of("../docs/examples/reference-lab.yaml")));
        assertThat(ruleset.text()).doesNotContain("proxy_");
    }

    /**
     * The digest is the first 8 bytes of the text's SHA-256 (computed here independently, with
     * the JDK's digest and not the renderer's), so two renders of one policy agree, and two
     * policies whose rulesets differ have different digests.
     */
    @Test
    void theDigestIsTheTextsSha256Prefix() throws Exception {
        Ruleset a = renderer.render(loader.load(Path.of("../docs/examples/reference-lab.yaml")));
        Ruleset b = renderer.render(loader.load(Path.of("../docs/examples/nonstandard-port.yaml")));
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(a.text().getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 16);
        assertThat(a.digest()).isEqualTo(expected);
        assertThat(new Ruleset(a.table(), a.text()).digest()).isEqualTo(expected);
        assertThat(b.text()).isNotEqualTo(a.text());
        assertThat(b.digest()).isNotEqualTo(a.digest());
        assertThat(new Ruleset(a.table(), a.text() + "\n").digest()).as("one byte more, another digest").isNotEqualTo(expected);
    }
}
