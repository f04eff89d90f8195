package io.ftpnat.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A policy naming an interface that is not there yet loads, and says which rule waits for it. */
class MissingInterfacesTest {
    @Test
    void aLateUplinkIsNamedNotRefused() throws Exception {
        String yaml = "version: 1\nsnat:\n  - name: lan\n    source: 192.168.1.0/24\n    out_interface: ppp0\n    to: masquerade\n"
                + "dnat:\n  - name: ftp\n    in_interface: ppp0\n    destination: 203.0.113.7\n    to: 192.168.1.10\n";
        Policy p = new PolicyLoader(InterfaceCatalog.anyName()).parse(yaml, "p.yaml");
        assertThat(MissingInterfaces.of(p, Set.of("lo", "eth0")::contains)).containsExactly(
                "snat[0] (lan): out_interface 'ppp0' does not exist yet; the rule applies once it appears",
                "dnat[0] (ftp): in_interface 'ppp0' does not exist yet; the rule applies once it appears");
        assertThat(MissingInterfaces.of(p, Set.of("ppp0")::contains)).isEmpty();
    }
}
