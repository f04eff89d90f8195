package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.ProFtpd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import io.ftpnat.lab.Vsftpd;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A proxy rule's controls (docs/examples/proxy-controls-lab.yaml) against vsftpd and ProFTPD.
 * The client 10.10.10.2 reaches the server 192.168.10.115 directly through the SNAT rule
 * {@code lan} ({@code strict}, {@code mask_banner}, {@code deny_commands: [SITE, DELE, MKD]}), and
 * through the published 10.10.10.1 (DNAT rule {@code published}, no controls) for comparison.
 * Each test reads: what the client sent and got (raw_ftp.py's transcript or a real client's), what
 * the server logged as received, and what the daemon logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyControlsTest {
    private final Map<String, ReferenceLab> labs = new HashMap<>();
    /** Per lab: the server taking only active data connections (2123) and the one taking only passive ones (2124). */
    private final Map<String, FtpServer> activeOnly = new HashMap<>();
    private final Map<String, FtpServer> passiveOnly = new HashMap<>();

    ReferenceLab lab(String server) {
        LabAssumptions.assumeDaemon();
        if (server.equals("proftpd")) {
            io.ftpnat.lab.Requirement.require(ProFtpd.installed(), "proftpd is not unpacked in " + ProFtpd.HOME + ": run scripts/install-deps");
        }
        return labs.computeIfAbsent(server, s -> {
            ReferenceLab ref = ReferenceLab.create();
            try {
                if (s.equals("proftpd")) {
                    ref.startProftpd(21);
                    activeOnly.put(s, ref.lab().own(ProFtpd.start(ref.lab(), 2123, ReferenceLab.FILES,
                            "<Limit PASV EPSV>\n    DenyAll\n  </Limit>")));
                    passiveOnly.put(s, ref.lab().own(ProFtpd.start(ref.lab(), 2124, ReferenceLab.FILES,
                            "<Limit PORT EPRT>\n    DenyAll\n  </Limit>")));
                } else {
                    ref.startServer(ServerKind.VSFTPD, 21);
                    activeOnly.put(s, ref.lab().own(Vsftpd.start(ref.lab(), 2123, ReferenceLab.FILES, Map.of("pasv_enable", "NO"))));
                    passiveOnly.put(s, ref.lab().own(Vsftpd.start(ref.lab(), 2124, ReferenceLab.FILES, Map.of("port_enable", "NO"))));
                }
                ref.startDaemon(ProjectHome.example("proxy-controls-lab.yaml"));
                return ref;
            } catch (RuntimeException e) {
                ref.close();
                throw e;
            }
        });
    }

    @AfterAll
    void down() {
        labs.values().forEach(ReferenceLab::close);
    }

    private static List<String> newCommands(FtpServer server, int before) {
        List<String> all = server.commandsLogged();
        return all.subList(Math.min(before, all.size()), all.size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void theControlledRuleMasksDeniesAndRefusesWhatStrictForbidsAndTheDownloadStillWorks(String kind) {
        ReferenceLab ref = lab(kind);
        FtpServer server = ref.server();
        int before = server.commandsLogged().size();
        Cmd.Result r = RawClient.run(ref.lab().client(), "controls", SERVER_V4, 21, server, "one.bin");
        List<String> replies = RawClient.replies(r);
        String seen = r.out() + "\n" + r.err() + "\nserver logged: " + newCommands(server, before);

        assertThat(replies.get(0)).as("the banner is the ALG's neutral one\n%s", seen).isEqualTo("220 FTP server ready.");
        assertThat(replies.get(1)).as("a command before login is refused by strict\n%s", seen)
                .isEqualTo("530 Please login with USER and PASS.");
        assertThat(replies).as("%s", seen).contains("215 UNIX Type: L8")
                .containsSubsequence("502 Command not allowed by policy.", "502 Command not allowed by policy.")
                .contains("503 Bad sequence of commands: a data channel is already pending.");
        assertThat(r.out()).as("%s", seen).contains("sha256 one.bin " + server.file("one.bin").sha256());
        assertThat(replies.get(replies.size() - 1)).as("%s", seen).startsWith("221");

        List<String> atServer = newCommands(server, before);
        assertThat(atServer).as("what the rule refuses never reaches the server\n%s", seen)
                .noneMatch(c -> c.startsWith("CWD") || c.startsWith("SITE") || c.startsWith("DELE"))
                .contains("SYST", "RETR one.bin");
        assertThat(atServer.stream().filter(c -> c.equals("PASV")).count()).as("one PASV: the second was refused\n%s", seen)
                .isEqualTo(1);
        assertThat(ref.daemon().log()).containsPattern("session \\d+: client 10\\.10\\.10\\.2:\\d+ sent SITE, which the rule's"
                + " deny_commands lists; refused").containsPattern("session \\d+: client 10\\.10\\.10\\.2:\\d+ sent CWD before login"
                + " \\(strict\\); refused");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void theSameServerThroughTheRuleWithoutControlsShowsItsBannerAndGetsEveryCommand(String kind) {
        ReferenceLab ref = lab(kind);
        FtpServer server = ref.server();
        int before = server.commandsLogged().size();
        Cmd.Result r = RawClient.run(ref.lab().client(), "controls", ROUTER_INSIDE_V4, 21, server, "one.bin");
        List<String> replies = RawClient.replies(r);
        String seen = r.out() + "\n" + r.err() + "\nserver logged: " + newCommands(server, before);
        assertThat(replies.get(0)).as("%s", seen).isNotEqualTo("220 FTP server ready.")
                .containsIgnoringCase(kind.equals("proftpd") ? "ProFTPD" : "vsFTPd");
        assertThat(replies).as("%s", seen).doesNotContain("502 Command not allowed by policy.");
        List<String> atServer = newCommands(server, before);
        assertThat(atServer).as("%s", seen).anyMatch(c -> c.startsWith("SITE")).anyMatch(c -> c.startsWith("DELE"));
        // without strict the second PASV reaches the server and replaces the first channel (one
        // pending channel per session), so the client's first data connection leads nowhere
        assertThat(atServer.stream().filter(c -> c.equals("PASV")).count()).as("%s", seen).isEqualTo(2);
    }

    /** strict must not break ordinary clients: curl and lftp download in both modes through the controlled rule. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ordinaryClientsDownloadThroughTheStrictRuleInBothModes(String kind) {
        ReferenceLab ref = lab(kind);
        for (DataMode mode : List.of(DataMode.PASV, DataMode.EPSV, DataMode.PORT)) {
            for (String client : List.of("curl", "lftp")) {
                ClientRun run = ref.run(Matrix.client(ref, client), FtpJob.download(ref.server(), SERVER_V4, mode, "two.bin"));
                assertThat(run.ok()).as("%s", run).isTrue();
                assertThat(run.sha256().get("two.bin")).as("%s", run).isEqualTo(ref.server().file("two.bin").sha256());
            }
        }
    }

    /**
     * {@code server_data_mode}: a passive client reaches a server that takes only active data
     * connections (rule to-active, 10.10.10.1:2121), an active client one that takes only passive
     * ones (rule to-passive, 10.10.10.1:2122); the servers log the converted commands.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void serverDataModeLetsAClientReachAServerThatRefusesItsMode(String kind) {
        ReferenceLab ref = lab(kind);
        FtpServer active = activeOnly.get(kind);
        FtpServer passive = passiveOnly.get(kind);
        for (String client : List.of("curl", "lftp")) {
            for (DataMode mode : List.of(DataMode.PASV, DataMode.EPSV)) {
                ClientRun run = ref.run(Matrix.client(ref, client), FtpJob.download(active, ROUTER_INSIDE_V4, mode, "two.bin").withPort(2121));
                assertThat(run.ok()).as("%s\nserver logged %s", run, active.commandsLogged()).isTrue();
                assertThat(run.sha256().get("two.bin")).as("%s", run).isEqualTo(active.file("two.bin").sha256());
            }
            ClientRun run = ref.run(Matrix.client(ref, client), FtpJob.download(passive, ROUTER_INSIDE_V4, DataMode.PORT, "two.bin").withPort(2122));
            assertThat(run.ok()).as("%s\nserver logged %s", run, passive.commandsLogged()).isTrue();
            assertThat(run.sha256().get("two.bin")).as("%s", run).isEqualTo(passive.file("two.bin").sha256());
        }
        assertThat(active.commandsLogged()).as("the active-only server is always sent PORT").anyMatch(c -> c.startsWith("PORT 192,168,10,114,"))
                .noneMatch(c -> c.startsWith("PASV") || c.startsWith("EPSV"));
        assertThat(passive.commandsLogged()).as("the passive-only server is always asked PASV").contains("PASV")
                .noneMatch(c -> c.startsWith("PORT") || c.startsWith("EPRT"));
        assertThat(ref.daemon().log()).contains("data channel converted");
    }

    /** {@code ftpnatctl proxy sessions} (and {@code session show}) name the rule's controls and what they decided. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd"})
    void theSessionShowsTheRulesControlsAndItsDecisions(String kind) {
        ReferenceLab ref = lab(kind);
        FtpServer server = ref.server();
        BackgroundProcess hold = ref.lab().own(ref.lab().client().start("hold-pasv-controls", ref.lab().dir("controls").resolve("hold.log"),
                PythonFtpClient.python(), RawClient.script().toString(), "hold-pasv", SERVER_V4, "21", server.user(), server.password(),
                "10"));
        hold.awaitLine(Pattern.compile("^< 227 "), Duration.ofSeconds(20));
        Cmd.Result ctl = ref.daemon().ctl("-o", "json", "proxy", "sessions");
        assertThat(ctl.ok()).as("%s", ctl).isTrue();
        String json = ctl.out().replaceAll("\\s+", " ");
        assertThat(json).as("%s", ctl.out()).contains("\"rule\" : \"lan\"")
                .contains("\"controls\" : [ \"strict\", \"mask_banner\", \"deny DELE MKD SITE\" ]")
                .contains("\"masked\" : 1").contains("\"last\" : \"masked the greeting\"");

        // 'session show proxy-N' (N from 'sessions'): the same session as 'proxy sessions' shows it, with its pending channel
        Cmd.Result list = ref.daemon().ctl("-o", "json", "sessions");
        assertThat(list.ok()).as("%s", list).isTrue();
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"(proxy-\\d+)\"").matcher(list.out());
        assertThat(m.find()).as("a proxied session in\n%s", list.out()).isTrue();
        String id = m.group(1);
        Cmd.Result show = ref.daemon().ctl("-o", "json", "session", "show", id);
        assertThat(show.ok()).as("%s", show).isTrue();
        String detail = show.out().replaceAll("\\s+", " ");
        assertThat(detail).as("%s", show.out()).contains("\"mode\" : \"proxy\"").contains("\"id\" : \"" + id + "\"")
                .contains("\"rule\" : \"lan\"").contains("\"data_channels\" : [ {")
                .containsPattern("\"mode\" : \"passive\", \"by\" : \"nft map element\", \"state\" : \"expected\", \"client\" : \""
                        + Pattern.quote(SERVER_V4) + ":\\d+\", \"server\" : \"" + Pattern.quote(SERVER_V4) + ":\\d+\"")
                .containsPattern("\"path\" : \"kernel\", \"match\" : \"10\\.10\\.10\\.2 -> ");
        Cmd.Result text = ref.daemon().ctl("-o", "table", "session", "show", id);
        assertThat(text.ok()).as("%s", text).isTrue();
        assertThat(text.out()).contains("session " + id + "  rule lan  (mode proxy)").contains("(by nft map element)  expected");
        hold.close();
    }
}
