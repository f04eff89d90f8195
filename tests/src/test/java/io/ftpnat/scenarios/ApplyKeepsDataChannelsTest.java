package io.ftpnat.scenarios;

import io.ftpnat.ruleset.TableObjects;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.FtpAddress;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.Vsftpd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An apply is one transaction, run-time elements included (docs/design/overview.md, "Policy").
 * Topology: the reference lab, proxy-lab.yaml, vsftpd on 10.10.10.1:21 published by DNAT. A client
 * holds a pending passive channel (its proxy_dnat4 element) while the operator applies a changed
 * policy, then one that fails (the policy file cannot be replaced, so the daemon puts the old
 * ruleset back). Throughout, a sampler on the router lists the map: the element is in every
 * sample; afterwards the client's data connection, made only now, carries the file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplyKeepsDataChannelsTest {
    ReferenceLab ref;
    FtpServer server;
    Path policy;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        server = ref.lab().own(Vsftpd.start(ref.lab(), 21, ReferenceLab.FILES, Map.of()));
        policy = ref.lab().dir("apply-channels").resolve("policy.yaml");
        Files.copy(ProjectHome.example("proxy-lab.yaml"), policy);
        ref.startDaemon(policy);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    @Test
    void aPendingPassiveChannelSurvivesAnApplyAndARolledBackOneWithoutAMomentAbsent() throws Exception {
        Path dir = ref.lab().dir("apply-channels");
        Path go = dir.resolve("go");
        BackgroundProcess client = ref.lab().own(ref.lab().client().start("pasv-then-go", dir.resolve("client.log"),
                PythonFtpClient.python(), RawClient.script().toString(), "pasv-then-go", ROUTER_INSIDE_V4, "21", server.user(),
                server.password(), "one.bin", go.toString()));
        FtpAddress offered = FtpAddress.parse(client.awaitLine(Pattern.compile("^< 227 "), Duration.ofSeconds(20)));
        String element = "10.10.10.2 . 10.10.10.1 . " + offered.port();
        assertThat(mapElements()).as("the pending channel's element").anyMatch(e -> e.startsWith(element));

        // every kernel transaction on the router, as nft prints them: "# new generation N ..." closes each
        BackgroundProcess monitor = ref.lab().own(ref.lab().router().start("nft-monitor", dir.resolve("monitor.log"),
                "stdbuf", "-oL", "nft", "monitor"));
        Thread.sleep(300); // nft monitor subscribes before it prints anything: give it a moment (it only adds evidence)
        List<String> samples = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            for (int i = 0; i < 2000 && sampling.get(); i++) { // bounded: at most 2000 listings
                samples.add(String.join(",", mapElements()));
            }
        }, "map-sampler");
        sampler.start();
        Cmd.Result applied;
        Cmd.Result rolledBack;
        String tableAfterFirst;
        try {
            // a changed policy: another data timeout (the table's text changes, the maps are re-created)
            Path changed = dir.resolve("changed.yaml");
            Files.writeString(changed, Files.readString(policy).replace("data_timeout: 30", "data_timeout: 45")
                    .replace("max_sessions: 1000", "max_sessions: 999"));
            applied = ctl("policy", "apply", changed.toString());
            tableAfterFirst = ref.router().ftpnatTable();

            // a failing apply: the daemon cannot replace its policy file (a non-empty directory took
            // its place), so it puts the previous ruleset back
            Path other = dir.resolve("other.yaml");
            Files.writeString(other, Files.readString(changed).replace("max_sessions: 999", "max_sessions: 998"));
            Files.delete(policy);
            Files.writeString(Files.createDirectory(policy).resolve("in-the-way"), "");
            rolledBack = ctl("policy", "apply", other.toString());
        } finally {
            sampling.set(false);
            sampler.join(60_000);
        }
        assertThat(mapElements()).as("the element after the rolled-back apply").anyMatch(e -> e.startsWith(element));
        Thread.sleep(300);
        monitor.close();
        List<String> replacing = transactions(monitor.log()).stream().filter(t -> t.contains("delete table inet ftpnat")).toList();
        assertThat(replacing).as("the applies' transactions (the second is the rollback's)\n%s", monitor.log()).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(t -> assertThat(t).as("a transaction that replaces the table re-creates the element in it")
                        .contains("add element inet ftpnat proxy_dnat4 { " + element + " "));
        System.out.println("map-sampler: " + samples.size() + " listings of proxy_dnat4 during the two applies");
        assertThat(applied.ok()).as("%s", applied).isTrue();
        assertThat(rolledBack.ok()).as("%s", rolledBack).isFalse();
        assertThat(rolledBack.err()).as("%s", rolledBack).contains("the previous ruleset was restored");
        assertThat(withoutTimeouts(ref.router().ftpnatTable())).as("the old table is back")
                .isEqualTo(withoutTimeouts(tableAfterFirst));
        assertThat(samples).as("listings of proxy_dnat4 during both applies").hasSizeGreaterThan(2)
                .allSatisfy(s -> assertThat(s).contains(element));

        Files.writeString(go, "");
        client.awaitExit(Duration.ofSeconds(30));
        assertThat(Files.readString(dir.resolve("client.log"))).as("the data connection made after the applies")
                .contains("sha256 one.bin " + server.file("one.bin").sha256());
    }

    private Cmd.Result ctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", ref.daemon().socket().toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    /** nft monitor's output cut into transactions (each ends with its "# new generation" line). */
    private static List<String> transactions(String monitorLog) {
        List<String> out = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        for (String line : monitorLog.lines().toList()) {
            t.append(line).append('\n');
            if (line.startsWith("# new generation")) {
                out.add(t.toString());
                t.setLength(0);
            }
        }
        return out;
    }

    private static String withoutTimeouts(String table) {
        return table.replaceAll("(timeout|expires) [0-9hms]+", "$1 _");
    }

    /** The elements of proxy_dnat4 ("a . b . port timeout ... : c . port"). */
    private List<String> mapElements() {
        String out = ref.lab().router().run("nft", "list", "map", "inet", "ftpnat", TableObjects.PROXY_DNAT4);
        int i = out.indexOf("elements = {");
        if (i < 0) return List.of();
        String inner = out.substring(i + 12, out.indexOf('}', i));
        return List.of(inner.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
