package io.ftpnat.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A router operator's policy files, good and bad, and what ftpnatd says about each. */
class PolicyLoaderTest {
    private static final InterfaceCatalog LAB = Set.of("r0", "r1", "lo")::contains;
    private final PolicyLoader loader = new PolicyLoader(LAB);

    @Test
    void theReferenceLabPolicyReadsAsTheSeedDescribesIt() throws Exception {
        Policy p = loader.load(Path.of("../docs/examples/reference-lab.yaml"));
        assertThat(p.controlPorts()).containsExactly(21);
        assertThat(p.snat()).extracting(SnatRule::name).containsExactly("lan", "lan6");
        SnatRule lan = p.snat().get(0);
        assertThat(lan.source()).hasToString("10.10.10.0/24");
        assertThat(lan.outInterface()).isEqualTo("r1");
        assertThat(lan.to()).isInstanceOf(SnatTarget.Masquerade.class);
        assertThat(lan.mode()).isEqualTo(Mode.KERNEL);
        assertThat(p.snat().get(1).family()).isEqualTo(IpFamily.IPV6);
        DnatRule published = p.dnat().get(0);
        assertThat(published.destinationText()).isEqualTo("10.10.10.1");
        assertThat(published.port()).isEqualTo(21);
        assertThat(published.to()).hasToString("192.168.10.115");
        assertThat(published.serverPort()).isEqualTo(21);
    }

    @Test
    void theNonStandardPortExampleAttachesTheHelperTo2121() throws Exception {
        Policy p = loader.load(Path.of("../docs/examples/nonstandard-port.yaml"));
        assertThat(p.snat().get(0).controlPorts()).containsExactly(21, 2121);
        assertThat(p.dnat().get(0).port()).isEqualTo(2121);
        assertThat(p.dnat().get(0).to()).hasToString("192.168.10.115:2121");
    }

    @Test
    void repairPrivilegedPortsIsOffUnlessThePolicySaysSo() throws Exception {
        String rule = "snat:\n  - name: lan\n    source: 10.10.10.0/24\n    out_interface: r1\n";
        assertThat(loader.parse("version: 1\n" + rule, "p.yaml").repairPrivilegedPorts()).isFalse();
        assertThat(loader.parse("version: 1\nrepair_privileged_ports: true\n" + rule, "p.yaml").repairPrivilegedPorts()).isTrue();
        assertThatThrownBy(() -> loader.parse("version: 1\nrepair_privileged_ports: maybe\n" + rule, "p.yaml"))
                .hasMessageContaining("p.yaml:2:26: repair_privileged_ports: 'maybe' is not true or false");
    }

    @Test
    void defaultsAreKernelModeMasqueradeAndPort21() throws Exception {
        Policy p = loader.parse("""
                version: 1
                snat:
                  - name: lan
                    source: 10.10.10.0/24
                    out_interface: r1
                dnat:
                  - name: pub
                    in_interface: r0
                    destination: 10.10.10.1
                    to: "[fd00::1]:2121"
                """.replace("[fd00::1]:2121", "192.168.10.115:2121"), "p.yaml");
        assertThat(p.controlPorts()).containsExactly(21);
        assertThat(p.snat().get(0).to()).isInstanceOf(SnatTarget.Masquerade.class);
        assertThat(p.snat().get(0).controlPorts()).containsExactly(21);
        assertThat(p.dnat().get(0).port()).isEqualTo(21);
        assertThat(p.dnat().get(0).serverPort()).isEqualTo(2121);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key   | version: 1\\ncontrol_port: [21]                                                            | p.yaml:2:1: control_port: unknown key 'control_port' (did you mean 'control_ports'?)
            unsupported version     | version: 2                                                                                | p.yaml:1:10: version: version 2 is not supported
            control port too high   | version: 1\\ncontrol_ports: [21, 70000]                                                    | p.yaml:2:21: control_ports[1]: 70000 is out of range 1-65535
            control port twice      | version: 1\\ncontrol_ports: [21, 21]                                                       | p.yaml:2:21: control_ports[1]: 21 is listed twice
            no control port         | version: 1\\ncontrol_ports: []                                                             | p.yaml:2:16: control_ports: must name at least one port
            prefix too long         | version: 1\\nsnat:\\n  - name: a\\n    source: 10.0.0.0/33\\n    out_interface: r1          | p.yaml:4:13: snat[0].source: '10.0.0.0/33' is not a prefix: length 33 is outside 0-32 for IPv4
            host bits set           | version: 1\\nsnat:\\n  - name: a\\n    source: 10.10.10.5/24\\n    out_interface: r1        | p.yaml:4:13: snat[0].source: '10.10.10.5/24' has host bits set; did you mean 10.10.10.0/24?
            host name not address   | version: 1\\nsnat:\\n  - name: a\\n    source: example.org\\n    out_interface: r1          | p.yaml:4:13: snat[0].source: 'example.org' is not an IP address
            octet above 255         | version: 1\\nsnat:\\n  - name: a\\n    source: 10.0.0.256\\n    out_interface: r1           | p.yaml:4:13: snat[0].source: '10.0.0.256' is not an IPv4 address
            unknown interface       | version: 1\\nsnat:\\n  - name: a\\n    source: 10.0.0.0/8\\n    out_interface: eth9          | p.yaml:5:20: snat[0].out_interface: no interface named 'eth9' exists here
            missing source          | version: 1\\nsnat:\\n  - name: a\\n    out_interface: r1                                   | p.yaml:3:5: snat[0].source: missing (required)
            unknown rule key        | version: 1\\nsnat:\\n  - name: a\\n    source: 10.0.0.0/8\\n    out_interface: r1\\n    tos: 3 | p.yaml:6:5: snat[0].tos: unknown key 'tos'
            bad mode                | version: 1\\nsnat:\\n  - name: a\\n    source: 10.0.0.0/8\\n    out_interface: r1\\n    mode: fast | p.yaml:6:11: snat[0].mode: 'fast' is not a mode; use 'kernel' or 'proxy'
            proxy data ports low    | version: 1\\nproxy:\\n  data_ports: 100-200                                              | p.yaml:3:15: proxy.data_ports: data ports must lie above 1023
            proxy unknown key       | version: 1\\nproxy:\\n  port: 9                                                          | p.yaml:3:3: proxy.port: unknown key 'port'
            proxy per client above  | version: 1\\nproxy:\\n  max_sessions: 10\\n  max_sessions_per_client: 20                | p.yaml:4:28: proxy.max_sessions_per_client: 20 is above max_sessions 10
            proxy with passive      | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    to: 192.168.10.115\\n    mode: proxy\\n    passive_ports: 62000-62100 | p.yaml:8:20: dnat[0].passive_ports: not used with mode: proxy
            proxy across families  | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    to: fd00::115\\n    mode: proxy\\n    port: 0 | p.yaml:8:11: dnat[0].port: 0 is out of range 1-65535
            snat across families    | version: 1\\nsnat:\\n  - name: a\\n    source: fd00::/64\\n    out_interface: r1\\n    to: 192.0.2.1 | p.yaml:6:9: snat[0].to: 192.0.2.1 is IPv4 but source fd00::/64 is IPv6
            dnat port out of range  | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    port: 0\\n    to: 192.168.10.115 | p.yaml:6:11: dnat[0].port: 0 is out of range 1-65535
            dnat bad to port        | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    to: 192.168.10.115:99999 | p.yaml:6:9: dnat[0].to: '192.168.10.115:99999': '99999' is not a port in 1-65535
            dnat across families    | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    to: fd00::115 | p.yaml:6:9: dnat[0].to: fd00::115 is IPv6 but destination 10.10.10.1 is IPv4
            passive range backwards | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    to: 192.168.10.115\\n    passive_ports: 62100-62000 | p.yaml:7:20: dnat[0].passive_ports: '62100-62000' is not a port range: 62100 is above 62000
            passive holds control   | version: 1\\ndnat:\\n  - name: a\\n    in_interface: r0\\n    destination: 10.10.10.1\\n    port: 2121\\n    to: 192.168.10.115\\n    passive_ports: 2000-3000 | p.yaml:8:20: dnat[0].passive_ports: range 2000-3000 contains the control port 2121
            bad rule name           | version: 1\\nsnat:\\n  - name: Lan One\\n    source: 10.0.0.0/8\\n    out_interface: r1     | p.yaml:3:11: snat[0].name: 'Lan One' is not a rule name
            rules not a list        | version: 1\\nsnat: lan                                                                     | p.yaml:2:7: snat: expected a list, found 'lan'
            not yaml                | version: 1\\nsnat: [                                                                       | p.yaml:2:8: not valid YAML
            duplicate key           | version: 1\\nversion: 1                                                                    | p.yaml:2:1: version: duplicate key 'version'
            """)
    void aBadPolicyIsRefusedNamingFileLineAndField(String scenario, String yaml, String expected) {
        String text = yaml.replace("\\n", "\n");
        assertThatThrownBy(() -> loader.parse(text, "p.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining(expected.trim());
    }

    @Test
    void overlappingSnatRulesOnOneInterfaceAreAContradiction() {
        String yaml = """
                version: 1
                snat:
                  - name: lan
                    source: 10.10.10.0/24
                    out_interface: r1
                  - name: wide
                    source: 10.10.0.0/16
                    out_interface: r1
                  - name: elsewhere
                    source: 10.10.0.0/16
                    out_interface: r0
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "p.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("p.yaml:6:5: snat[1].source: 10.10.0.0/16 overlaps 10.10.10.0/24 of rule 'lan' (snat[0], line 3)")
                .satisfies(e -> assertThat(((PolicyException) e).problems()).hasSize(1));
    }

    @Test
    void twoDnatRulesForOnePublishedPortAreAContradiction() {
        String yaml = """
                version: 1
                dnat:
                  - name: one
                    in_interface: r0
                    destination: 10.10.10.1
                    to: 192.168.10.115
                    passive_ports: 62000-62100
                  - name: two
                    in_interface: r0
                    destination: 10.10.10.1
                    port: 62050
                    to: 192.168.10.116
                  - name: one
                    in_interface: r0
                    destination: 10.10.10.1
                    port: 2121
                    to: 192.168.10.117
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "p.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("p.yaml:8:5: dnat[1]: port 62050 lies in the passive_ports 62000-62100 of rule 'one'")
                .hasMessageContaining("p.yaml:13:5: dnat[2].name: 'one' is already the name of dnat[0]");
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceInFileOrder() {
        String yaml = """
                version: 1
                control_ports: [21, 0]
                snat:
                  - name: a
                    source: 10.0.0.0/33
                    out_interface: nope
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "p.yaml"))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).problems())
                        .extracting(PolicyProblem::field)
                        .containsExactly("control_ports[1]", "snat[0].source", "snat[0].out_interface"));
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/policy.yaml")))
                .hasMessage("/nonexistent/policy.yaml: no such file");
    }

    @Test
    void anEmptyFileIsNotAPolicy() {
        assertThatThrownBy(() -> loader.parse("", "p.yaml")).hasMessageContaining("the policy is empty");
    }

    @Test
    void aTagWithSpacesIsInvalidYamlNotACrash() {
        // a tag ending in an escaped space: snakeyaml-engine throws IllegalArgumentException, not its own exception
        PolicyException e = org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                () -> new PolicyLoader(name -> true).parse("version: !a%20 1\n", "tag.yaml"));
        org.assertj.core.api.Assertions.assertThat(e.getMessage()).startsWith("tag.yaml: not valid YAML");
    }
}
