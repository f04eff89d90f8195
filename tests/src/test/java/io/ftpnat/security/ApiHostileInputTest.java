package io.ftpnat.security;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Local users attack the daemon through its socket, in the reference lab, with the real daemon:
 * user {@code nobody} is in the socket's group (may query), user {@code daemon} in the admin group
 * (may apply policies, but only policies: never nft commands of its own).
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1:21 ══DNAT══ (r1) ── server 192.168.10.115:21
 *                             ftpnatd (root) ── socket 0660 group nogroup
 *                                               ├─ nobody (query): policy.check, hold connections
 *                                               └─ daemon (admin group): policy.apply
 * </pre>
 *
 * A file only root can read holds a marker; nothing any of them does may get it into an answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiHostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Debian's python3: a per-user interpreter (pyenv under /root) is not for user nobody. */
    private static final String PYTHON = "/usr/bin/python3";
    private final String marker = "TOPSECRET-" + UUID.randomUUID();
    private ReferenceLab ref;
    private Path secret;
    private Path peerScript;

    @BeforeAll
    void up() throws Exception {
        ref = ReferenceLab.create();
        ref.startServer(ServerKind.VSFTPD, 21);
        // a copy: policy.apply saves what it applied to the daemon's policy file
        Path policy = ref.lab().dir("api").resolve("policy.yaml");
        Files.copy(ProjectHome.example("reference-lab.yaml"), policy);
        ref.startDaemon(policy, "--socket-group", "nogroup", "--admin-group", "daemon");
        secret = ref.lab().dir("secret").resolve("secret.conf");
        Files.writeString(secret, "table inet stolen {\n# " + marker + "\n}\n" + marker + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        // copied where the unprivileged users can read it, and run with the system's python3
        peerScript = ref.lab().dir("api").resolve("api_peer.py");
        Files.copy(Path.of(Objects.requireNonNull(ApiHostileInputTest.class.getResource("/api_peer.py")).toURI()), peerScript);
    }

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    @Test
    void aQueryUserCannotReadFilesThroughPolicyCheck() throws Exception {
        String good = Files.readString(ProjectHome.example("reference-lab.yaml"));
        String inc = "include \\\"" + secret + "\\\"";
        List<String> requests = new ArrayList<>();
        // the label the client gives its policy: once rendered unescaped into the ruleset
        for (String label : List.of("x\n" + "include \"" + secret + "\"\n", "x\"\ninclude \"" + secret + "\"\n#",
                "\u001b]0;x\u0007\ninclude \"" + secret + "\"")) {
            requests.add(request("policy.check", "policy", good, "source", label));
        }
        // every field of the policy that reaches the ruleset, with a value that would be code
        for (String evil : List.of("r0\"\n" + inc + "\n#", "r0\\\";" + inc, "x$(cat " + secret + ")")) {
            requests.add(request("policy.check", "policy", good.replace("r1", evil.replace("\\\"", "\"")), "source", "fields"));
        }
        requests.add(request("policy.check", "policy", good.replace("name: ", "name: \"x\\n" + inc + "\" #"), "source", "names"));
        requests.add(request("policy.check", "policy", good.replace("10.10.10.0/24", "10.10.10.0/24\\n" + inc), "source", "prefix"));
        requests.add(request("policy.check", "policy", "version: 1\ncontrol_ports: [21]\n" + "!include " + secret + "\n", "source", "yaml"));
        Cmd.Result r = asUser("nobody", "nogroup", requests);
        assertThat(r.out() + r.err()).as("every answer").doesNotContain(marker);
        List<String> answers = r.out().lines().toList();
        assertThat(answers).hasSize(requests.size());
        assertThat(answers.subList(0, 3)).as("a valid policy with a hostile label is valid, and the label went nowhere")
                .allSatisfy(a -> assertThat(a).contains("\"valid\":true"));
        assertThat(answers.subList(3, answers.size())).as("hostile values are refused as values, never run")
                .allSatisfy(a -> assertThat(a).contains("\"error\""));
        String tables = ref.lab().router().run("nft", "list", "tables");
        assertThat(tables).doesNotContain("stolen");
    }

    @Test
    void anAdminGroupMemberAppliesPoliciesNotNftCommands() throws Exception {
        String before = ref.lab().router().run("nft", "list", "ruleset").replaceAll("packets \\d+ bytes \\d+", "");
        String good = Files.readString(ProjectHome.example("reference-lab.yaml"));
        String label = "x\nflush ruleset\ninclude \"" + secret + "\"\n";
        Cmd.Result r = asUser("daemon", "daemon", List.of(
                request("policy.apply", "policy", good, "source", label),
                request("policy.apply", "policy", good.replace("r1", "r1\"\nflush ruleset\n#"), "source", "f"),
                request("policy.apply", "policy", good.replace("21", "21\n  }\n}\nflush ruleset\n"), "source", "g")));
        assertThat(r.out() + r.err()).doesNotContain(marker);
        List<String> answers = r.out().lines().toList();
        assertThat(answers).as("%s", r).hasSize(3);
        assertThat(answers.get(0)).contains("\"changed\":false");
        assertThat(answers.subList(1, 3)).allSatisfy(a -> assertThat(a).contains("invalid_policy"));
        String after = ref.lab().router().run("nft", "list", "ruleset").replaceAll("packets \\d+ bytes \\d+", "");
        assertThat(after).as("the router's whole ruleset, its own firewall included").isEqualTo(before);
    }

    @Test
    void aQueryUserCannotLockRootOutOrHoldConnectionsForever() throws Exception {
        long[] before = threadsAndRssKiB(ref.daemon().pid());
        // 40 connections, each with half a request line and never the rest
        BackgroundProcess hold = ref.lab().own(ref.lab().router().start("api-hold", ref.lab().dir("api").resolve("hold.log"),
                "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", PYTHON, peerScript.toString(),
                ref.daemon().socket().toString(), "hold", "40", "{\"v\":1,\"cmd\":\"sta", "20"));
        String held = hold.awaitLine(Pattern.compile("^refused \\d+ held \\d+"), Duration.ofSeconds(20));
        assertThat(held).as("one user holds at most 32 connections").isEqualTo("refused 8 held 32");
        long[] during = threadsAndRssKiB(ref.daemon().pid());
        assertThat(during[0] - before[0]).as("threads: one per held connection, none for the refused (%s -> %s)", before[0], during[0])
                .isLessThanOrEqualTo(32 + 4);
        assertThat(during[1] - before[1]).as("RSS growth, KiB").isLessThan(64 * 1024);
        Cmd.Result status = ref.daemon().ctl("-o", "json", "status");
        assertThat(status.ok()).as("root is still served: %s", status).isTrue();
        String closed = hold.awaitLine(Pattern.compile("^closed-by-daemon \\d+"), Duration.ofSeconds(25));
        assertThat(closed).as("unfinished request lines are cut off after 10 s").isEqualTo("closed-by-daemon 32");
        assertThat(asUser("nobody", "nogroup", List.of(request("status"))).out()).as("and the user is served again")
                .contains("\"result\"");
    }

    @Test
    void requestLinesOfTheQueryRoleAreShort() throws Exception {
        String big = "x".repeat(100_000);
        Cmd.Result r = asUser("nobody", "nogroup", List.of(request("policy.check", "policy", big)));
        assertThat(r.out()).contains("line_too_long").contains("65536");
    }

    @Test
    void addressFiltersAreLiteralsNeverNamesToLookUp() throws Exception {
        Cmd.Result r = asUser("nobody", "nogroup", List.of(
                "{\"v\":1,\"cmd\":\"conntrack.count\",\"args\":{\"src\":\"999.1.1.1\"}}",
                "{\"v\":1,\"cmd\":\"conntrack.count\",\"args\":{\"dst\":\"localhost\"}}"));
        List<String> answers = r.out().lines().toList();
        assertThat(answers).hasSize(2).allSatisfy(a -> assertThat(a).contains("\"error\""));
        assertThat(answers.get(0)).contains("'999.1.1.1' is not an IP address");
        assertThat(answers.get(1)).contains("'localhost' is not an IP address");
    }

    @Test
    void sessionShowNeverWritesAClientsControlBytesToTheAdminsTerminal() throws Exception {
        String script = String.join("\n",
                "import socket, sys",
                "s = socket.create_connection((sys.argv[1], 21), timeout=10)",
                "f = s.makefile('rb')",
                "f.readline()",
                "s.sendall(b'USER \\x1b]0;owned\\x07\\x1b[2J\\r\\n')",
                "print(f.readline().decode().strip(), flush=True)",
                "s.sendall(b'QUIT\\r\\n')",
                "f.readline()");
        Path py = ref.lab().dir("api").resolve("escape_user.py");
        Files.writeString(py, script);
        Cmd.Result client = ref.lab().client().exec(Duration.ofSeconds(20), PythonFtpClient.python(), py.toString(), ROUTER_INSIDE_V4);
        assertThat(client.ok()).as("%s", client).isTrue();
        String id = null;
        for (int i = 0; i < 50 && id == null; i++) {
            for (String line : ref.daemon().ctl("-o", "json", "sessions").out().lines().toList()) {
                if (line.contains("\"id\"")) {
                    id = JSON.readTree(line).path("id").asText();
                }
            }
            if (id == null) {
                Thread.sleep(100);
            }
        }
        assertThat(id).as("the session is in the model").isNotNull();
        String shown = "";
        for (int i = 0; i < 50 && !shown.contains("USER"); i++) {
            shown = ref.daemon().ctl("-o", "table", "session", "show", id).out();
            Thread.sleep(100);
        }
        // the daemon's model keeps control bytes out of the dialogue it stores, and ftpnatctl would
        // escape any that reached it (TerminalTextTest): the line is there, made harmless
        assertThat(shown).containsPattern("USER \\S*\\]0;owned");
        assertThat(shown.getBytes(StandardCharsets.UTF_8)).as("no raw ESC or BEL reaches the terminal").doesNotContain((byte) 0x1b, (byte) 0x07);
    }

    /** Threads and resident memory (KiB) of a process, from /proc. */
    private static long[] threadsAndRssKiB(long pid) throws Exception {
        long threads = -1;
        long rss = -1;
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("Threads:")) {
                threads = Long.parseLong(l.substring(8).strip());
            } else if (l.startsWith("VmRSS:")) {
                rss = Long.parseLong(l.substring(6).strip().split("\\s+")[0]);
            }
        }
        return new long[] {threads, rss};
    }

    private Cmd.Result asUser(String user, String group, List<String> requests) {
        // the admin group's member also needs the socket's group to reach the socket (mode 0660)
        String groups = user.equals("daemon") ? "--groups=nogroup" : "--clear-groups";
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + group, groups, PYTHON,
                peerScript.toString(), ref.daemon().socket().toString(), "ask"));
        argv.addAll(requests);
        return ref.lab().router().exec(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    private static String request(String cmd, String... args) {
        ObjectNode r = JSON.createObjectNode().put("v", 1).put("cmd", cmd);
        ObjectNode a = r.putObject("args");
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        return r.toString();
    }
}
