package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ansible/ tree (the collection ftpnat.router) is clean by the tools CI has from Debian:
 * yamllint, ansible-lint (production profile, the tree's .ansible-lint), ansible-playbook
 * --syntax-check, ansible-doc on the collection installed from its built tarball (both modules'
 * DOCUMENTATION/EXAMPLES/RETURN, the role's argument specs), and ansible-test sanity
 * (scripts/ansible-sanity). Each is skipped when its tool is missing.
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
        // ansible-lint 6.13 --offline never installs the collection it lints, and its fqcn rule then
        // cannot look our own modules up (they are named by FQCN already; the rule skips them):
        // those two notices are the only warnings allowed.
        String warnings = r.err().lines().filter(l -> l.contains("WARNING"))
                .filter(l -> !l.matches("WARNING +Unable to resolve FQCN for module ftpnat\\.router\\.ftpnat_(policy|facts)"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(warnings).as(AnsibleTools.text(r)).isEmpty();
        assertThat(r.err()).as(AnsibleTools.text(r)).doesNotContain("violation").contains("Passed with production profile");
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
            Cmd.Result r = inAnsibleDir("ansible-doc", "-t", "module", "--json", "ftpnat.router." + module);
            assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
            assertThat(r.out()).contains("\"module\": \"" + module + "\"").contains("\"collection\": \"ftpnat.router\"").contains("\"examples\"").contains("\"return\"")
                    .contains("\"check_mode\"");
        }
        // the role's argument specs (validated at the start of every run) document every default
        Cmd.Result role = inAnsibleDir("ansible-doc", "-t", "role", "--json", "ftpnat.router.ftpnat");
        assertThat(role.ok()).as(AnsibleTools.text(role)).isTrue();
        String defaults = AnsibleTools.readString(dir.resolve("roles/ftpnat/defaults/main.yml"));
        defaults.lines().filter(l -> l.startsWith("ftpnat_")).map(l -> l.substring(0, l.indexOf(':')))
                .forEach(var -> assertThat(role.out()).as("argument_specs documents " + var).contains("\"" + var + "\""));
        assertThat(Files.exists(dir.resolve("roles/ftpnat/meta/main.yml"))).isTrue();
        // the mode choices, proxy and repair_privileged_ports are documented and checked
        assertThat(role.out()).contains("\"ftpnat_proxy\"").contains("\"ftpnat_repair_privileged_ports\"")
                .contains("\"listen_port\"").containsPattern("\"choices\": \\[\\s*\"kernel\",\\s*\"proxy\"\\s*\\]");
    }

    /** The collection as a user installs it: the tarball holds the collection and nothing of the repository's. */
    @Test
    void theCollectionBuildsAndInstallsFromItsTarball() {
        Path tarball = AnsibleTools.collectionTarball();
        Cmd.Result list = Cmd.run(Duration.ofSeconds(30), "tar", "-tzf", tarball.toString());
        assertThat(list.out()).contains("MANIFEST.json\n").contains("meta/runtime.yml\n")
                .contains("plugins/modules/ftpnat_policy.py\n").contains("plugins/modules/ftpnat_facts.py\n")
                .contains("plugins/module_utils/ftpnat_api.py\n").contains("roles/ftpnat/tasks/main.yml\n")
                .contains("playbooks/ftpnat.yml\n").doesNotContain("inventory/").doesNotContain("ansible.cfg");
        Path installed = AnsibleTools.installedCollections().resolve("ansible_collections/ftpnat/router");
        assertThat(Files.exists(installed.resolve("plugins/modules/ftpnat_policy.py"))).isTrue();
        // no sys.path fallback: the modules import their module_utils by the collection's name
        assertThat(AnsibleTools.readString(installed.resolve("plugins/modules/ftpnat_policy.py")))
                .contains("from ansible_collections.ftpnat.router.plugins.module_utils.ftpnat_api import").doesNotContain("sys.path");
    }

    /** ansible-test sanity on the collection (offline: Debian's linters instead of pip's; scripts/ansible-sanity). */
    @Test
    void ansibleTestSanityPasses() {
        AnsibleTools.assumeTool("ansible-test", "ansible-core");
        AnsibleTools.assumeTool("pylint", "pylint");
        Cmd.Result r = Cmd.run(Duration.ofSeconds(600), io.ftpnat.lab.ProjectHome.get().resolve("scripts/ansible-sanity").toString());
        assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
        assertThat(r.out() + r.err()).contains("Running sanity test \"validate-modules\"").contains("Running sanity test \"pylint\"")
                .doesNotContain("ERROR:");
    }
}
