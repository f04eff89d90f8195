package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V6;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServedFile;
import io.ftpnat.lab.Vsftpd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The first version's remaining gaps, in the reference lab with a writable vsftpd
 * (anonymous uploads into pub/upload): uploads through the ALG (STOR, APPE, STOU) with sha256 on
 * the server's disk; an IPv4 client reaching an IPv6 server (rule {@code to6}: 10.10.10.1:2126 →
 * [fd00:192::115]:21, data relayed by the daemon); and proxy limits — the listen port among them —
 * taking effect on a policy apply (SIGHUP) without a restart, a session already running going on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyGapsTest {
    static final String POLICY = """
            version: 1
            proxy:
              listen_port: %d
              max_sessions_per_client: %d
            dnat:
              - name: published
                in_interface: r0
                destination: 10.10.10.1
                port: 21
                to: 192.168.10.115
                mode: proxy
              - name: to6
                in_interface: r0
                destination: 10.10.10.1
                port: 2126
                to: "[fd00:192::115]:21"
                mode: proxy
            """;

    ReferenceLab ref;
    FtpServer server;
    Path policy;
    Path upload;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        server = ref.lab().own(Vsftpd.start(ref.lab(), 21, ReferenceLab.FILES, Map.of("write_enable", "YES", "anon_upload_enable", "YES",
                "anon_other_write_enable", "YES", "anon_umask", "022")));
        upload = server.root().resolve("upload");
        Files.createDirectories(upload);
        Cmd.run("chmod", "777", upload.toString()).check();
        policy = ref.lab().dir("gaps").resolve("policy.yaml");
        Files.writeString(policy, POLICY.formatted(8021, 50));
        ref.startDaemon(policy);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    @Test
    void storAppeAndStouUploadThroughTheAlgAndArriveIntact() throws Exception {
        Cmd.Result r = RawClient.run(ref.lab().client(), "upload", ROUTER_INSIDE_V4, 21, server, "upload");
        String seen = r.out() + "\n" + r.err();
        String upSha = value(r, "sent-sha256 up.bin");
        String stouSha = value(r, "sent-sha256 stou");
        assertThat(RawClient.replies(r)).as(seen).filteredOn(l -> l.startsWith("226")).hasSize(3);
        assertThat(ServedFile.sha256(upload.resolve("up.bin"))).as("STOR then APPE: the file is both parts\n%s", seen).isEqualTo(upSha);
        try (Stream<Path> files = Files.list(upload)) {
            List<Path> unique = files.filter(p -> p.getFileName().toString().startsWith("unique.bin")).toList();
            assertThat(unique).as("STOU made one file\n%s", seen).hasSize(1);
            assertThat(ServedFile.sha256(unique.get(0))).as(seen).isEqualTo(stouSha);
        }
        assertThat(server.commandsLogged()).contains("STOR upload/up.bin", "APPE upload/up.bin").anyMatch(c -> c.startsWith("STOU"));
    }

    @Test
    void anIpv4ClientDownloadsFromAnIpv6ServerInBothModes() {
        for (DataMode mode : List.of(DataMode.PASV, DataMode.EPSV, DataMode.PORT)) {
            for (String client : List.of("curl", "lftp")) {
                ClientRun run = ref.run(Matrix.client(ref, client), FtpJob.download(server, ROUTER_INSIDE_V4, mode, "two.bin").withPort(2126));
                assertThat(run.ok()).as("%s\nserver logged %s", run, server.commandsLogged()).isTrue();
                assertThat(run.sha256().get("two.bin")).as("%s", run).isEqualTo(server.file("two.bin").sha256());
            }
        }
        // the IPv6 server was asked in its own family
        assertThat(server.commandsLogged()).anyMatch(c -> c.equals("EPSV")).anyMatch(c -> c.startsWith("EPRT |2|fd00:192::114|"));
        assertThat(ref.daemon().log()).contains("-> [" + SERVER_V6 + "]:21");
    }

    @Test
    void limitsAndTheListenPortChangeOnApplyWithoutARestart() throws Exception {
        long pid = ref.daemon().pid();
        Path log = ref.lab().dir("gaps").resolve("hold.log");
        BackgroundProcess hold = ref.lab().own(ref.lab().client().start("hold-pasv", log, PythonFtpClient.python(),
                RawClient.script().toString(), "hold-pasv", ROUTER_INSIDE_V4, "21", server.user(), server.password(), "6"));
        hold.awaitLine(Pattern.compile("^< 227 "), Duration.ofSeconds(20));

        Files.writeString(policy, POLICY.formatted(8031, 40));
        assertThat(ref.daemon().reload()).contains("policy applied");
        assertThat(ref.daemon().log()).contains("listen_port changed from 8021 to 8031; now listening on 8031");
        assertThat(ref.lab().router().run("ss", "-Hltn", "sport = :8031")).as("the new port listens").isNotBlank();
        assertThat(ref.lab().router().run("ss", "-Hltn", "sport = :8021")).as("the old one is closed").isBlank();

        ClientRun run = ref.run(ref.curl(), FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.PASV, "one.bin"));
        assertThat(run.ok()).as("a new session through the new port, same daemon\n%s", run).isTrue();
        assertThat(run.sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        assertThat(ref.daemon().pid()).isEqualTo(pid);
        assertThat(hold.awaitExit(Duration.ofSeconds(30))).as("the session opened before the apply ended normally").isZero();
        assertThat(hold.log()).contains("< 221");
    }

    private static String value(Cmd.Result r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix + " ")).map(l -> l.substring(prefix.length() + 1)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' in\n" + r.out() + r.err()));
    }
}
