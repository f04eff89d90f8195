package io.ftpnat.ansible;

import static io.ftpnat.lab.Requirement.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.Namespace;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The role's router-pair part ({@code tasks/ha.yml}, its templates, the notify hook, its handlers)
 * run for real, the way {@link AnsibleRoleLabTest} runs the role: the example playbook with a local
 * connection inside the reference lab's router namespace, the daemon started by the lab
 * ({@code ftpnat_service_manager: none}, {@code ftpnat_install_package: false}: no apt, no systemd
 * here; the package path is {@link SystemdUnitTest}'s). Every path the HA tasks write is redirected
 * into the lab's directory, so the sysctls and the invalid-packet drop land in the router's network
 * namespace only (both are per namespace), never in this machine's.
 *
 * <p>Topology: the reference lab's router (r0 inside, r1 outside) plus a sync link {@code s9}
 * carrying this router's sync address (a veth pair, both ends in the router). In order: check mode on a router that has nothing yet
 * (reports, writes nothing, changes no sysctl); the real run (files, key 0600, sysctls applied by the
 * handler, the invalid drop loaded); the rendered files are byte for byte what the pair lab
 * ({@code scripts/ha-lab/render-role.yml}, used by {@code FailoverTest}) renders from the same
 * variables; {@code keepalived -t} accepts keepalived.conf; conntrackd starts on conntrackd.conf
 * and answers; a second run changes nothing; check mode then reports no change; a virtual route whose
 * source is no VIP fails the play before anything is written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaRoleLabTest {
    static final String HOST = "lab-router-a";
    static final String SYNC_LOCAL = "172.16.9.1";
    static final String SYNC_PEER = "172.16.9.2";

    ReferenceLab ref;
    Namespace router;
    Path work;
    Path tmp;
    Path ha;
    Path inventory;
    Path socket;
    boolean conntrackdStarted;

    @BeforeAll
    void up() {
        require(AnsibleTools.isRoot(), "the namespace lab needs root");
        for (String t : List.of("ip", "nft", "sysctl", "keepalived", "conntrackd", "python3")) {
            AnsibleTools.assumeTool(t, t.equals("sysctl") ? "procps" : t);
        }
        AnsibleTools.assumeTool("ansible-playbook", "ansible-core");
        require(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")),
                "the daemon is not built (controller/target/ftpnat.jar): run 'mvn -DskipTests package' at the root");

        ref = ReferenceLab.create();
        router = ref.lab().router();
        work = ref.lab().dir("ansible-ha");
        tmp = ref.lab().dir("ansible-ha/tmp");
        ha = work.resolve("router");   // created by the role, not by the test
        Path policyFile = ref.lab().dir("ansible-ha/etc-ftpnat").resolve("policy.yaml");
        AnsibleTools.write(policyFile, "# the package's default: no flow\nversion: 1\n");
        socket = ref.startDaemon(policyFile).socket();
        // the dedicated sync link (a veth whose peer stays in the router: nothing crosses it here;
        // conntrackd binds to its address). No dummy: the dummy module may not be loadable.
        router.run("ip", "link", "add", "s9", "type", "veth", "peer", "name", "s9peer");
        router.run("ip", "link", "set", "s9peer", "up");
        router.run("ip", "addr", "add", SYNC_LOCAL + "/24", "dev", "s9");
        router.run("ip", "link", "set", "s9", "up");
        // the router's defaults in a fresh namespace: loose pickup on, which the role turns off
        router.run("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=1");

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
                %s""".formatted(HOST, socket, policyFile, ProjectHome.ftpnatd(), indent(haVarsYaml(), 6)));
        // the pair lab's renderer takes the same variables as JSON (-e @file)
        AnsibleTools.write(work.resolve("lab-vars.json"), haVarsJson(work.resolve("lab-render")));
    }

    @AfterAll
    void down() {
        if (conntrackdStarted) router.exec("conntrackd", "-C", ha.resolve("conntrackd.conf").toString(), "-k");
        if (ref != null) ref.close();
    }

    /** The router pair's variables, as an operator writes them; paths under {@link #ha}. */
    String haVarsYaml() {
        return """
                ftpnat_ha_enabled: true
                ftpnat_ha_router_id: %1$s
                ftpnat_ha_local: %2$s
                ftpnat_ha_peer: %3$s
                ftpnat_ha_sync_interface: s9
                ftpnat_ha_priority: 150
                ftpnat_ha_vips:
                  - {interface: r0, address: 10.10.10.254/24, vrid: 51}
                  - {interface: r1, address: 192.168.10.254/24, vrid: 52}
                ftpnat_ha_own_addresses: [10.10.10.1, 192.168.10.114]
                ftpnat_ha_virtual_routes:
                  - {to: 192.168.10.115/32, dev: r1, src: 192.168.10.254}
                ftpnat_ha_key: "0123456789abcdef-lab-key"
                ftpnat_ha_key_file: %4$s/ha.key
                ftpnat_ha_conntrackd_conf: %4$s/conntrackd.conf
                ftpnat_ha_conntrackd_lockfile: %4$s/conntrackd.lock
                ftpnat_ha_conntrackd_socket: %4$s/conntrackd.ctl
                ftpnat_ha_conntrackd_logfile: %4$s/conntrackd.log
                ftpnat_ha_keepalived_conf: %4$s/keepalived.conf
                ftpnat_ha_notify_env: %4$s/notify.env
                ftpnat_ha_notify_script: %4$s/ftpnat-ha-notify
                ftpnat_ha_notify_log: %4$s/notify.log
                ftpnat_ha_sysctl_file: %4$s/60-ftpnat-ha.conf
                ftpnat_ha_invalid_drop_file: %4$s/ha-invalid-drop.nft
                ftpnat_ha_ftpnatctl: %5$s
                """.formatted(HOST, SYNC_LOCAL, SYNC_PEER, ha, AnsibleTools.ftpnatctl());
    }

    /** The same variables for render-role.yml, with its output paths under {@code dir}. */
    String haVarsJson(Path dir) {
        return """
                {"ftpnat_ha_enabled": true, "ftpnat_ha_router_id": "%1$s",
                 "ftpnat_ha_local": "%2$s", "ftpnat_ha_peer": "%3$s", "ftpnat_ha_sync_interface": "s9",
                 "ftpnat_ha_priority": 150,
                 "ftpnat_ha_vips": [{"interface": "r0", "address": "10.10.10.254/24", "vrid": 51},
                                    {"interface": "r1", "address": "192.168.10.254/24", "vrid": 52}],
                 "ftpnat_ha_own_addresses": ["10.10.10.1", "192.168.10.114"],
                 "ftpnat_ha_virtual_routes": [{"to": "192.168.10.115/32", "dev": "r1", "src": "192.168.10.254"}],
                 "ftpnat_ha_conntrackd_conf": "%4$s/conntrackd.conf", "ftpnat_ha_conntrackd_lockfile": "%5$s/conntrackd.lock",
                 "ftpnat_ha_conntrackd_socket": "%5$s/conntrackd.ctl", "ftpnat_ha_conntrackd_logfile": "%5$s/conntrackd.log",
                 "ftpnat_ha_keepalived_conf": "%4$s/keepalived.conf", "ftpnat_ha_notify_env": "%4$s/notify.env",
                 "ftpnat_ha_notify_script": "%5$s/ftpnat-ha-notify", "ftpnat_ha_notify_log": "%5$s/notify.log",
                 "ftpnat_ha_ftpnatctl": "%6$s", "ftpnat_socket": "%7$s"}
                """.formatted(HOST, SYNC_LOCAL, SYNC_PEER, dir, ha, AnsibleTools.ftpnatctl(), socket);
    }

    static String indent(String text, int n) {
        return text.lines().map(l -> " ".repeat(n) + l).reduce("", (a, b) -> a + b + "\n");
    }

    Cmd.Result playbook(String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(),
                AnsibleTools.playbook().toString()));
        argv.addAll(List.of(extra));
        return AnsibleTools.inNamespace(router.name(), tmp, argv.toArray(String[]::new));
    }

    String sysctl(String key) { return router.run("sysctl", "-n", key).strip(); }

    String haTable() { return router.exec("nft", "list", "table", "inet", "ftpnat_ha").out(); }

    @Test
    @Order(1)
    void checkModeOnAFreshRouterReportsAndWritesNothing() {
        Cmd.Result r = playbook("--check", "--diff");
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(r.out()).as(AnsibleTools.text(r)).contains("Configure conntrackd").contains("Configure keepalived")
                .contains("+net.netfilter.nf_conntrack_tcp_loose = 0");
        assertThat(recap.changed()).as(AnsibleTools.text(r)).isGreaterThanOrEqualTo(7);
        assertThat(r.out()).as("the key is never shown").doesNotContain("0123456789abcdef-lab-key");
        assertThat(ha.resolve("conntrackd.conf")).doesNotExist();
        assertThat(ha.resolve("ha.key")).doesNotExist();
        assertThat(sysctl("net.netfilter.nf_conntrack_tcp_loose")).isEqualTo("1");
        assertThat(haTable()).isEmpty();
    }

    @Test
    @Order(2)
    void realRunWritesTheFilesAndAppliesTheRouterSettings() throws Exception {
        Cmd.Result r = playbook("--diff");
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, r);
        assertThat(recap.failed()).as(AnsibleTools.text(r)).isZero();
        assertThat(r.out()).as(AnsibleTools.text(r)).contains("RUNNING HANDLER [ftpnat.router.ftpnat : Apply the router pair's sysctls]")
                .contains("RUNNING HANDLER [ftpnat.router.ftpnat : Load the router pair's invalid-packet drop]")
                .doesNotContain("0123456789abcdef-lab-key");

        // the handlers ran in the router's namespace
        assertThat(sysctl("net.netfilter.nf_conntrack_tcp_loose")).isEqualTo("0");
        assertThat(sysctl("net.ipv4.ip_forward")).isEqualTo("1");
        assertThat(haTable()).contains("type filter hook prerouting priority mangle").contains("ct state invalid");

        assertThat(Files.readString(ha.resolve("ha.key"))).isEqualTo("0123456789abcdef-lab-key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ha.resolve("ha.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ha.resolve("ftpnat-ha-notify")))).isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(ha.resolve("ftpnat-ha-notify")))
                .isEqualTo(Files.readString(AnsibleTools.ansibleDir().resolve("roles/ftpnat/files/ftpnat-ha-notify")));

        String conntrackd = Files.readString(ha.resolve("conntrackd.conf"));
        assertThat(conntrackd).contains("HashSize 32768").contains("HashLimit 131072").contains("Interface s9")
                .contains("IPv4_address " + SYNC_LOCAL).contains("IPv4_Destination_Address " + SYNC_PEER)
                .contains("IPv4_address 10.10.10.254").contains("IPv4_address 192.168.10.254").containsPattern("ExpectationSync \\{\\s+ftp");
        String keepalived = Files.readString(ha.resolve("keepalived.conf"));
        assertThat(keepalived).contains("router_id " + HOST).contains("vrrp_instance vip_51").contains("vrrp_instance vip_52")
                .contains("priority 150").contains("nopreempt")
                .containsPattern("vrrp_instance vip_52 \\{[^}]*\\}\\s*# routes[^\\n]*\\n\\s*virtual_routes \\{\\s*192\\.168\\.10\\.115/32 dev r1 src 192\\.168\\.10\\.254")
                .contains("notify_master \"" + ha.resolve("ftpnat-ha-notify") + " " + ha.resolve("notify.env") + " master\"");
        assertThat(Files.readString(ha.resolve("notify.env"))).contains("CONNTRACKD_CONF=" + ha.resolve("conntrackd.conf"))
                .contains("--socket " + socket);
    }

    @Test
    @Order(3)
    void theFilesAreThoseThePairLabRuns() throws Exception {
        Path out = work.resolve("lab-render");
        Files.createDirectories(out);
        Cmd.Result r = Cmd.run(AnsibleTools.PLAYBOOK_TIMEOUT, concat(AnsibleTools.env(tmp), "ansible-playbook", "-i", "localhost,",
                ProjectHome.get().resolve("scripts/ha-lab/render-role.yml").toString(), "-e", "@" + work.resolve("lab-vars.json")));
        assertThat(r.ok()).as(AnsibleTools.text(r)).isTrue();
        for (String f : List.of("conntrackd.conf", "keepalived.conf", "notify.env")) {
            // the lab's copy names its own directory where the role's names ha (notify.env's path)
            assertThat(Files.readString(out.resolve(f)).replace(out.toString(), ha.toString()))
                    .as(f + ": the role's file and the pair lab's are the same")
                    .isEqualTo(Files.readString(ha.resolve(f)));
        }
    }

    @Test
    @Order(4)
    void keepalivedAndConntrackdAcceptTheirConfiguration() throws Exception {
        Cmd.Result kt = router.exec("keepalived", "-t", "-l", "-f", ha.resolve("keepalived.conf").toString());
        assertThat(kt.exit()).as("keepalived -t: %s%s", kt.out(), kt.err()).isZero();

        // conntrackd has no config test: start it on the file (its own lock, socket and log), ask it for
        // its statistics, stop it. A refused file stops it at start with the line in its log.
        Path conf = ha.resolve("conntrackd.conf");
        Cmd.Result start = router.exec(Duration.ofSeconds(20), "conntrackd", "-C", conf.toString(), "-d");
        conntrackdStarted = start.ok();
        String log = Files.exists(ha.resolve("conntrackd.log")) ? Files.readString(ha.resolve("conntrackd.log")) : "";
        assertThat(start.exit()).as("conntrackd -d: %s%s\n%s", start.out(), start.err(), log).isZero();
        Cmd.Result stats = null;
        for (int i = 0; i < 50; i++) {   // bounded: 5 s for the daemon's socket
            stats = router.exec("conntrackd", "-C", conf.toString(), "-s");
            if (stats.ok()) break;
            Thread.sleep(100);
        }
        assertThat(stats.exit()).as("conntrackd -s: %s%s", stats.out(), stats.err()).isZero();
        assertThat(stats.out()).contains("cache internal").contains("cache external");
        Cmd.Result expect = router.exec("conntrackd", "-C", conf.toString(), "-s", "expect");
        assertThat(expect.exit()).as("expectations are synced: %s%s", expect.out(), expect.err()).isZero();
        Cmd.Result kill = router.exec("conntrackd", "-C", conf.toString(), "-k");
        assertThat(kill.exit()).as("conntrackd -k: %s%s", kill.out(), kill.err()).isZero();
        conntrackdStarted = false;
        assertThat(Files.readString(ha.resolve("conntrackd.log"))).contains("initialization completed");
    }

    @Test
    @Order(5)
    void secondRunAndCheckModeChangeNothing() {
        Cmd.Result again = playbook();
        AnsibleTools.Recap recap = AnsibleTools.Recap.of(HOST, again);
        assertThat(recap.failed()).as(AnsibleTools.text(again)).isZero();
        assertThat(recap.changed()).as("second run: changed=0\n%s", AnsibleTools.text(again)).isZero();

        Cmd.Result check = playbook("--check", "--diff");
        AnsibleTools.Recap c = AnsibleTools.Recap.of(HOST, check);
        assertThat(c.failed()).as(AnsibleTools.text(check)).isZero();
        assertThat(c.changed()).as("check mode after the run: changed=0\n%s", AnsibleTools.text(check)).isZero();
    }

    @Test
    @Order(6)
    void aVirtualRouteFromAnAddressThatIsNoVipIsRefused() throws Exception {
        String before = Files.readString(ha.resolve("keepalived.conf"));
        Path bad = work.resolve("bad-route.json");
        AnsibleTools.write(bad, "{\"ftpnat_ha_virtual_routes\": [{\"to\": \"192.168.10.115/32\", \"dev\": \"r1\", \"src\": \"192.168.10.111\"}]}");
        Cmd.Result r = playbook("-e", "@" + bad);
        assertThat(AnsibleTools.Recap.of(HOST, r).failed()).as(AnsibleTools.text(r)).isEqualTo(1);
        assertThat(r.out()).contains("ftpnat_ha_virtual_routes src one of the VIPs' addresses");
        assertThat(Files.readString(ha.resolve("keepalived.conf"))).as("nothing written").isEqualTo(before);
    }

    static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
