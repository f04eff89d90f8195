package io.ftpnat.scenarios;

import io.ftpnat.ruleset.TableObjects;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * 1,000 concurrent proxied sessions from one client: each logs in and negotiates a passive data
 * channel, all held at once, then each sends NOOP and QUIT. The server is a scripted threaded one
 * (many_sessions.py serve) rather than vsftpd, whose thousand processes would weigh on a shared
 * build machine more than the daemon under test. While all are held: the API lists 1,000
 * sessions, the kernel holds 1,000 map elements; afterwards none of either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyManySessionsTest {
    static final int SESSIONS = 1000;
    static final String POLICY = """
            version: 1
            proxy:
              max_sessions: 1100
              max_sessions_per_client: 1100
            dnat:
              - name: published
                in_interface: r0
                destination: 10.10.10.1
                port: 21
                to: 192.168.10.115:2122
                mode: proxy
            """;

    ReferenceLab ref;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        Path dir = ref.lab().dir("many");
        BackgroundProcess server = ref.lab().own(ref.lab().server().start("scripted server", dir.resolve("server.log"),
                PythonFtpClient.python(), script().toString(), "serve", "2122"));
        server.awaitLine(Pattern.compile("listening"), Duration.ofSeconds(20));
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        ref.startDaemon(policy);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    static Path script() {
        try {
            return Path.of(Objects.requireNonNull(ProxyManySessionsTest.class.getResource("/many_sessions.py")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aThousandConcurrentSessionsEachWithAKernelChannelAndNoFailure() throws Exception {
        long rssBefore = daemonRssKiB();
        BackgroundProcess clients = ref.lab().own(ref.lab().client().start("1000 sessions", ref.lab().dir("many").resolve("clients.log"),
                PythonFtpClient.python(), script().toString(), "open", "10.10.10.1", "21", Integer.toString(SESSIONS), "5"));
        String held = clients.awaitLine(Pattern.compile("^held \\d+"), Duration.ofSeconds(180));
        assertThat(held).startsWith("held " + SESSIONS + " ");

        Cmd.Result ctl = ctl("-o", "json", "proxy", "sessions");
        assertThat(count(ctl.out(), "\"rule\" : \"published\"")).as(ctl.err()).isEqualTo(SESSIONS);
        assertThat(count(ctl.out(), "\"path\" : \"kernel\"")).isEqualTo(SESSIONS);
        assertThat(mapElements()).isEqualTo(SESSIONS);
        long rssHeld = daemonRssKiB();
        System.out.printf("ftpnatd RSS: %d KiB idle, %d KiB with %d sessions held%n", rssBefore, rssHeld, SESSIONS);

        assertThat(clients.awaitExit(Duration.ofSeconds(180))).isZero();
        assertThat(clients.log()).contains("failures connect=0 banner=0 login=0 pasv=0 noop=0 quit=0");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && (mapElements() > 0 || count(ctl("-o", "json", "proxy", "sessions").out(), "\"rule\"") > 0)) {
            Thread.sleep(200);
        }
        assertThat(mapElements()).as("every element went with its session").isZero();
        assertThat(count(ctl("-o", "json", "proxy", "sessions").out(), "\"rule\"")).isZero();
        assertThat(ref.daemon().log()).doesNotContain("ERROR");
    }

    private long daemonRssKiB() {
        Matcher pid = Pattern.compile("\"pid\" : (\\d+)").matcher(ctl("-o", "json", "status").out());
        assertThat(pid.find()).isTrue();
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Cmd.run("cat", "/proc/" + pid.group(1) + "/status").out());
        return rss.find() ? Long.parseLong(rss.group(1)) : -1;
    }

    private int mapElements() {
        String out = ref.lab().router().run("nft", "list", "map", "inet", "ftpnat", TableObjects.PROXY_DNAT4);
        return count(out, " timeout ");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private Cmd.Result ctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", ref.daemon().socket().toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), argv.toArray(String[]::new));
    }
}
