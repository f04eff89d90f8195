package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ansible/ tree is clean by the tools CI has from Debian: yamllint, ansible-lint (production
 * profile, the tree's .ansible-lint), ansible-playbook --syntax-check, and ansible-doc parses both
 * modules' DOCUMENTATION/EXAMPLES/RETURN. Each is skipped when its tool is missing.
 */
class AnsibleLintTest {
    static final Duration LINT_TIMEOUT = Duration.ofSeconds(180);
    final Path dir = AnsibleTools.ansibleDir();

    /** argv run in ansible/ (where ansible.cfg is), with the test environment. */
    Cmd.Result inAnsibleDir(String... argv) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "ftpnat-ansible-lint-" + ProcessHandle.current().pid());
        List<String> all = new java.util.ArrayList<>(AnsibleTools.env(tmp));
        all.add(1, "--chdir=" + dir);
        all.addAll(List.of(argv));
        return Cmd.run(LINT_TIMEOUT, all.toArray(String[]::new));
    }

    @Test
    void yamllintIsClean() {
        AnsibleTools.assumeTool("yamllint", "yamllint");
        Cmd.Result r = inAnsibleDir("yamllint", "--strict", "-f", "parsable", ".");
        assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
        assertThat(r.out()).as("no warning either").isEmpty();
    }

    @Test
    void ansibleLintIsClean() {
        AnsibleTools.assumeTool("ansible-lint", "ansible-lint");
        Cmd.Result r = inAnsibleDir("ansible-lint", "--offline", "--nocolor", "-p");
        assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
        assertThat(r.out()).as("no violation, no warning").isEmpty();
        assertThat(r.err()).as(AnsibleTools.text(r)).doesNotContain("WARNING").doesNotContain("violation");
    }

    @Test
    void playbookSyntaxIsValid() {
        AnsibleTools.assumeTool("ansible-playbook", "ansible-core");
        Cmd.Result r = inAnsibleDir("ansible-playbook", "--syntax-check", "playbooks/ftpnat.yml");
        assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
        // the example inventory: several routers in the group the playbook targets
        Cmd.Result hosts = inAnsibleDir("ansible", "ftpnat_routers", "--list-hosts");
        assertThat(hosts.ok()).as(AnsibleTools.text(hosts)).isTrue();
        assertThat(hosts.out()).contains("hosts (3)").contains("edge-fra-1").contains("edge-ams-1");
    }

    @Test
    void modulesAreDocumented() {
        AnsibleTools.assumeTool("ansible-doc", "ansible-core");
        for (String module : List.of("ftpnat_policy", "ftpnat_facts")) {
            Cmd.Result r = inAnsibleDir("ansible-doc", "-t", "module", "--json", module);
            assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
            assertThat(r.out()).contains("\"module\": \"" + module + "\"").contains("\"examples\"").contains("\"return\"")
                    .contains("\"check_mode\"");
        }
        // the role's argument specs (validated at the start of every run) document every default
        Cmd.Result role = inAnsibleDir("ansible-doc", "-t", "role", "--json", "ftpnat");
        assertThat(role.ok()).as(AnsibleTools.text(role)).isTrue();
        String defaults = AnsibleTools.readString(dir.resolve("roles/ftpnat/defaults/main.yml"));
        defaults.lines().filter(l -> l.startsWith("ftpnat_")).map(l -> l.substring(0, l.indexOf(':')))
                .forEach(var -> assertThat(role.out()).as("argument_specs documents " + var).contains("\"" + var + "\""));
        assertThat(Files.exists(dir.resolve("roles/ftpnat/meta/main.yml"))).isTrue();
    }
}
