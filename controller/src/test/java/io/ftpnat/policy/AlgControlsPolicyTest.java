package io.ftpnat.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A proxy rule's controls (strict, deny_commands, mask_banner) as an operator writes them, good and bad. */
class AlgControlsPolicyTest {
    private final PolicyLoader loader = new PolicyLoader(Set.of("r0", "r1", "lo")::contains);

    private static String dnat(String extra) {
        return """
                version: 1
                dnat:
                  - name: pub
                    in_interface: r0
                    destination: 10.10.10.1
                    to: 192.168.10.115
                    mode: proxy
                """ + extra;
    }

    @Test
    void aProxyRuleCarriesItsControlsVerbsInUpperCase() throws Exception {
        Policy p = loader.parse(dnat("    strict: true\n    mask_banner: true\n    deny_commands: [site, DELE, Rmd]\n"), "p.yaml");
        AlgControls c = p.dnat().get(0).controls();
        assertThat(c.strict()).isTrue();
        assertThat(c.maskBanner()).isTrue();
        assertThat(c.denyCommands()).containsExactly("DELE", "RMD", "SITE");
        assertThat(c.names()).containsExactly("strict", "mask_banner", "deny DELE RMD SITE");
    }

    @Test
    void withoutTheKeysARuleHasNoControls() throws Exception {
        assertThat(loader.parse(dnat(""), "p.yaml").dnat().get(0).controls()).isEqualTo(AlgControls.none());
    }

    @Test
    void badControlsAreRefusedNamingFileLineAndField() {
        assertThatThrownBy(() -> loader.parse(dnat("    strict: yes please\n"), "p.yaml"))
                .hasMessageContaining("p.yaml:8:13: dnat[0].strict:");
        assertThatThrownBy(() -> loader.parse(dnat("    deny_commands: [SITE, \"RM -R\"]\n"), "p.yaml"))
                .hasMessageContaining("p.yaml:8:27: dnat[0].deny_commands[1]: 'RM -R' is not an FTP command");
        assertThatThrownBy(() -> loader.parse(dnat("    deny_commands: [SITE, site]\n"), "p.yaml"))
                .hasMessageContaining("dnat[0].deny_commands[1]: SITE is listed twice");
        assertThatThrownBy(() -> loader.parse(dnat("    deny_commands: [QUIT]\n"), "p.yaml"))
                .hasMessageContaining("QUIT cannot be denied");
        assertThatThrownBy(() -> loader.parse(dnat("    deny_commands: SITE\n"), "p.yaml"))
                .hasMessageContaining("dnat[0].deny_commands: expected a list");
    }

    @Test
    void controlsOnAKernelRuleAreRefusedTheHelperFiltersNothing() {
        String kernel = """
                version: 1
                snat:
                  - name: lan
                    source: 10.10.10.0/24
                    out_interface: r1
                    mask_banner: true
                """;
        assertThatThrownBy(() -> loader.parse(kernel, "p.yaml"))
                .hasMessageContaining("p.yaml:6:18: snat[0].mask_banner: only for mode: proxy rules");
    }
}
