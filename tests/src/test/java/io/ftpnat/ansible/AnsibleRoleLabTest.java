package io.ftpnat.ansible;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;
import static io.ftpnat.lab.Requirement.require;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The example playbook ({@code ansible/playbooks/ftpnat.yml}, role {@code ftpnat.router.ftpnat}, the
 * collection installed from its built tarball: {@link AnsibleTools#installedCollections()}) run for real,
 * with a local connection, inside the router namespace of the reference lab:
 * {@code ip netns exec <router> ansible-playbook -i <lab inventory> playbooks/ftpnat.yml}. So the
 * policy check ({@code ftpnatd check}: the kernel's dry run, warnings for missing interfaces) and the
 * daemon's apply happen in the lab's router, never in the machine's own namespace.
 *
 * <p>No systemd runs here (PID 1 is not systemd), so the lab starts the daemon
 * ({@code bin/ftpnatd run --policy <lab>/etc-ftpnat/policy.yaml --socket <lab socket>}, the
 * package's default policy: no flow) and the inventory says {@code ftpnat_service_manager: none}
 * and {@code ftpnat_install_package: false}: the role checks that the daemon answers, writes the
 * policy file (validated by {@code ftpnatd check}) and has the daemon re-read it through its socket.
 * The package installation is covered by {@link DebianPackageTest}.
 *
 * <p>The methods run in order on one lab: first run (applies; FTP then works through the policy),
 * second run ({@code changed=0}), check mode (reports, changes nothing), a broken policy variable
 * (fails with the daemon's message; the old policy still serves), the modules used directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleRoleLabTest {
    static final String HOST = "lab-router";
    static final Pattern DIGEST = Pattern.compile("\"digest\"\\s*:\\s*\"([0-9a-f]+)\"");

    ReferenceLab ref;
    FtpServer server;
    Path work;
    Path tmp;
    Path policyFile;
    Path inventory;
    Path socket;
    String routerNs;

    @BeforeAll
    void up() {
        require(AnsibleTools.isRoot(), "the namespace lab needs root");
        for (String t : List.of("ip", "nft", "conntrack", "tcpdump", "curl", "python3")) {
            AnsibleTools.assumeTool(t, t);
        }
        AnsibleTools.assumeTool("ansible-playbook", "ansible-core");
        require(ServerKind.VSFTPD.installed(), "vsftpd is not installed: run scripts/install-deps");
        require(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")),
                "the daemon is not built (controller/target/ftpnat.jar): run 'mvn -DskipTests install' at the root");

        ref = ReferenceLab.create();
        server = ref.startServer(ServerKind.VSFTPD, 21);
        work = ref.lab().dir("ansible");
        tmp = ref.lab().dir("ansible/tmp");
        policyFile = ref.lab().dir("ansible/etc-ftpnat").resolve("policy.yaml");
        // What the package installs as /etc/ftpnat/policy.yaml: no flow.
        AnsibleTools.write(policyFile, "# the package's default: no flow\nversion: 1\n");
        socket = ref.startDaemon(policyFile).socket();
        routerNs = ref.lab().router().name();
        inventory = work.resolve("inventory.yml");
        AnsibleTools.write(inventory, """
                ---
                ftpnat_routers:
                  hosts:
                    %s:
                      ansible_connection: local
                      ansible_become: false
                      ansible_python_interpreter: /usr/bin/python3
                      ftpnat_install_package: false
                      ftpnat_service_manager: none
                      ftpnat_daemon_user: root
                      ftpnat_socket: %s
                      ftpnat_policy_file: %s
                      ftpnat_ftpnatd_command: %s
                      ftpnat_control_ports: [21]
                      ftpnat_snat:
                        - name: lan
                          source: 10.10.10.0/24
                          out_interface: r1
                          to: masquerade
                      ftpnat_dnat:
                        - name: published
                          in_interface: r0
                          destination: 10.10.10.1
                          port: 21
                          to: 192.168.10.115
                """.formatted(HOST, socket, policyFile, ProjectHome.ftpnatd()));
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    Cmd.Result playbook(String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(),
                AnsibleTools.playbook().toString()));
        argv.addAll(List.of(extra));
        return AnsibleTools.inNamespace(routerNs, tmp, argv.toArray(String[]::new));
    }

    Cmd.Result adhoc(String module, String args) {
        return AnsibleTools.inNamespace(routerNs, tmp, "ansible", HOST, "-i", inventory.toString(), "-m", module, "-a", args);
    }

    String status() {
        return Cmd.run(Duration.ofSeconds(30), AnsibleTools.ftpnatctl().toString(), "--socket", socket.toString(),
                "-o", "json", "status").check().out();
    }

    String runningDigest() {
        Matcher m = DIGEST.matcher(status());
        assertThat(m.find()).as("digest in status").isTrue();
        return m.group(1);
    }

    /** A number in the daemon's status answer (ftpnatctl -o json status), by field name. */
    long statusNumber(String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(status());
        assertThat(m.find()).as(field + " in status").isTrue();
        return Long.parseLong(m.group(1));
    }

    Path vars(String name, String yaml) {
        Path p = work.resolve(name);
        AnsibleTools.write(p, yaml);
        return p;
    }

    void assertPassiveTransferThroughDnat() {
        Observation o = Observation.of(ref, ref.curl(), FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"), 21);
        assertThat(o.client().ok()).as("passive download through the DNAT rule\n%s", o).isTrue();
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        assertThat(o.client().receivedReply("227")).as("227 rewritten by the helper\n%s", o).contains("(10,10,10,1,");
        assertThat(o.serverDialogue().reply("227")).contains("(192,168,10,115,");
    }

    @Test
    @Order(1)
    void firstRunAppliesThePolicyAndFtpWorksThroughIt() {
        String before = runningDigest();
        assertThat(statusNumber("snat_rules")).isZero();
        assertThat(statusNumber("dnat_rules")).isZero();

        Cmd.Result r = playbook("--diff");
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(recap.changed()).as(AnsibleTools.text(r)).isGreaterThanOrEqualTo(2); // the file, the reload
        assertThat(r.out()).contains("Have the daemon run the policy file");

        String digest = runningDigest();
        assertThat(digest).isNotEqualTo(before);
        assertThat(statusNumber("snat_rules")).isEqualTo(1);
        assertThat(statusNumber("dnat_rules")).isEqualTo(1);
        assertThat(ref.daemon().log()).contains("policy applied through the API");
        // the playbook's ftpnat_facts report what the daemon runs
        assertThat(r.out()).as(AnsibleTools.text(r)).contains("runs policy " + digest).contains("(1 snat,").contains("1 dnat rules)");
        String file = AnsibleTools.readString(policyFile);
        assertThat(file).contains("Ansible managed").contains("name: published").contains("out_interface: r1");
        assertThat(ref.router().ftpnatTable()).contains("ftpnat-ftp").contains("dnat ip to 192.168.10.115");

        // passive mode through the DNAT rule: the client knows only 10.10.10.1
        assertPassiveTransferThroughDnat();

        // active mode through the SNAT rule: the server sees the router's outside address in PORT
        Observation active = Observation.of(ref, ref.python(), FtpJob.download(server, SERVER_V4, DataMode.PORT, "one.bin"), 21);
        assertThat(active.client().ok()).as("active download through the SNAT rule\n%s", active).isTrue();
        assertThat(active.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        assertThat(active.client().sentCommand("PORT")).contains("10,10,10,2,");
        assertThat(active.serverDialogue().command("PORT")).as("%s", active).contains("192,168,10,114,");
        assertThat(active.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
    }

    @Test
    @Order(2)
    void secondRunChangesNothing() {
        String digest = runningDigest();
        String file = AnsibleTools.readString(policyFile);
        Cmd.Result r = playbook();
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(recap.changed()).as("second run: changed=0\n%s", AnsibleTools.text(r)).isZero();
        assertThat(r.out()).contains("changed=0");
        assertThat(runningDigest()).isEqualTo(digest);
        assertThat(AnsibleTools.readString(policyFile)).isEqualTo(file);
    }

    @Test
    @Order(3)
    void checkModeReportsTheChangeAndMakesNone() {
        String digest = runningDigest();
        String file = AnsibleTools.readString(policyFile);
        String table = ref.router().ftpnatTable();
        Path extra = vars("check-mode-vars.yml", """
                ---
                ftpnat_dnat:
                  - name: published
                    in_interface: r0
                    destination: 10.10.10.1
                    port: 21
                    to: 192.168.10.115
                  - name: published-2121
                    in_interface: r0
                    destination: 10.10.10.1
                    port: 2121
                    to: 192.168.10.115
                """);
        Cmd.Result r = playbook("--check", "--diff", "-e", "@" + extra);
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(recap.changed()).as("check mode reports the change\n%s", AnsibleTools.text(r)).isGreaterThanOrEqualTo(1);
        assertThat(r.out()).as("--diff shows the new rule").contains("+- name: published-2121").contains("+  port: 2121");
        assertThat(AnsibleTools.readString(policyFile)).as("file untouched").isEqualTo(file);
        assertThat(runningDigest()).as("running policy untouched").isEqualTo(digest);
        assertThat(ref.router().ftpnatTable()).as("kernel table untouched").isEqualTo(table);
    }

    @Test
    @Order(5)
    void brokenPolicyVariableFailsWithTheDaemonsErrorAndTheOldPolicyStillServes() {
        String digest = runningDigest();
        String file = AnsibleTools.readString(policyFile);
        String table = ref.router().ftpnatTable();
        Path extra = vars("broken-vars.yml", """
                ---
                ftpnat_dnat:
                  - name: published
                    in_interface: r0
                    destination: 10.10.10.256
                    port: 21
                    to: 192.168.10.115
                """);
        Cmd.Result r = playbook("-e", "@" + extra);
        System.out.println("--- the play with a broken policy variable (as an operator sees it):\n" + r.out());
        assertThat(r.exit()).as(AnsibleTools.text(r)).isNotZero();
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isEqualTo(1);
        // the daemon's validator's words: file:line:col, the field, the reason
        assertThat(r.out()).as(AnsibleTools.text(r)).contains("is invalid").contains("dnat[0].destination").contains("10.10.10.256");
        assertThat(r.out()).doesNotContain("RUNNING HANDLER");
        assertThat(AnsibleTools.readString(policyFile)).as("old file kept").isEqualTo(file);
        assertThat(runningDigest()).as("old policy runs").isEqualTo(digest);
        assertThat(ref.router().ftpnatTable()).as("kernel table untouched").isEqualTo(table);
        assertPassiveTransferThroughDnat();
    }

    /**
     * Tags and the policy's proxy settings: {@code --tags policy} runs only the policy's tasks, and
     * {@code ftpnat_repair_privileged_ports} and {@code ftpnat_proxy} reach the file (check mode: shown, not written).
     */
    @Test
    @Order(4)
    void tagsAndTheProxySettings() {
        String file = AnsibleTools.readString(policyFile);
        Path extra = vars("proxy-vars.yml", """
                ---
                ftpnat_repair_privileged_ports: true
                ftpnat_proxy:
                  listen_port: 8021
                  max_sessions: 200
                ftpnat_snat:
                  - name: lan
                    source: 10.10.10.0/24
                    out_interface: r1
                    to: masquerade
                    mode: proxy
                """);
        Cmd.Result r = playbook("--check", "--diff", "--tags", "policy", "-e", "@" + extra);
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(r.out()).as(AnsibleTools.text(r)).contains("+repair_privileged_ports: true").contains("+proxy:")
                .contains("+  listen_port: 8021").contains("+  mode: proxy")
                .contains("TASK [ftpnat.router.ftpnat : Write the policy").doesNotContain("TASK [ftpnat.router.ftpnat : Install ftpnat")
                .doesNotContain("Configure ftpnatd.service");
        assertThat(AnsibleTools.readString(policyFile)).as("check mode: file untouched").isEqualTo(file);
        // a mode the role does not know is refused by the argument specs, before any task runs
        Cmd.Result bad = playbook("--check", "-e", "{\"ftpnat_snat\": [{\"name\": \"lan\", \"source\": \"10.10.10.0/24\","
                + " \"out_interface\": \"r1\", \"mode\": \"userspace\"}]}");
        assertThat(bad.exit()).as(AnsibleTools.text(bad)).isNotZero();
        assertThat(bad.out()).contains("value of mode must be one of: kernel, proxy");
    }

    @Test
    @Order(6)
    void modulesUsedDirectly() {
        String digest = runningDigest();
        // ftpnat_facts: everything the daemon knows, as facts
        Cmd.Result facts = adhoc("ftpnat.router.ftpnat_facts", "socket=" + socket + " gather=all conntrack_limit=50");
        assertThat(facts.ok()).as(AnsibleTools.text(facts)).isTrue();
        assertThat(facts.out()).contains("\"ftpnat\"").contains("\"digest\": \"" + digest + "\"")
                .contains("\"conntrack_count\"").contains("\"expectations\"").contains("\"sessions\"")
                .contains("\"changed\": false");

        // ftpnat_policy, state=checked: a broken candidate fails with the daemon's message, nothing changes
        Path candidate = vars("candidate.yaml", """
                version: 1
                dnat:
                  - name: x
                    in_interface: r0
                    destination: 10.10.10.1
                    port: 70000
                    to: 192.168.10.115
                """);
        Cmd.Result bad = adhoc("ftpnat.router.ftpnat_policy", "socket=" + socket + " state=checked src=" + candidate);
        assertThat(bad.exit()).as(AnsibleTools.text(bad)).isNotZero();
        assertThat(bad.out()).contains("invalid_policy").contains("candidate.yaml:6").contains("dnat[0].port");

        // ftpnat_policy, state=applied with the text the daemon already runs: no change
        String text = AnsibleTools.readString(policyFile);
        Cmd.Result same = adhoc("ftpnat.router.ftpnat_policy", "socket=" + socket + " src=" + policyFile);
        assertThat(same.ok()).as(AnsibleTools.text(same)).isTrue();
        assertThat(same.out()).contains("\"changed\": false").contains("already runs this policy");

        // ftpnat_policy in check mode with a new policy: reports, changes nothing
        Cmd.Result check = AnsibleTools.inNamespace(routerNs, tmp, "ansible", HOST, "-i", inventory.toString(), "--check",
                "--diff", "-m", "ftpnat.router.ftpnat_policy", "-a", "socket=" + socket + " src=" + vars("empty.yaml", "version: 1\n"));
        assertThat(check.ok()).as(AnsibleTools.text(check)).isTrue();
        assertThat(check.out()).contains("\"changed\": true").contains("\"ruleset_changed\": true");
        assertThat(runningDigest()).isEqualTo(digest);
        assertThat(AnsibleTools.readString(policyFile)).isEqualTo(text);
    }
}
