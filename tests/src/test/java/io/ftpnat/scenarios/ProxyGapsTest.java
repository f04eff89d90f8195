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
              - name: flood
                in_interface: r0
                destination: 10.10.10.1
                port: 2130
                to: 192.168.10.115:2130
                mode: proxy
            """;

    /** A server that floods one endless multi-line reply after its greeting, and counts the commands it receives. */
    static final String FLOODER = """
            import socket, sys, threading, time
            l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("0.0.0.0", 2130)); l.listen(4)
            print("listening", flush=True)
            c, _ = l.accept(); c.sendall(b"220 flood\\r\\n")
            sent = [0]
            def flood():
                line = b"211-" + b"x" * 1000 + b"\\r\\n"
                try:
                    while True:
                        c.sendall(line); sent[0] += len(line)
                except OSError:
                    pass
            threading.Thread(target=flood, daemon=True).start()
            f = c.makefile("rb"); n = 0; t0 = time.time()
            while time.time() - t0 < 8:
                line = f.readline()
                if not line: break
                if line.strip() == b"NOOP": n += 1; print("received NOOP", n, "sent bytes", sent[0], flush=True)
            print("done received", n, "sent bytes", sent[0], flush=True)
            """;

    /** A client that reads the greeting, then sends a NOOP every 100 ms for 3 s and reads nothing more. */
    static final String SILENT_READER = """
            import socket, time
            s = socket.create_connection(("10.10.10.1", 2130), timeout=10); s.recv(100)
            for i in range(30):
                s.sendall(b"NOOP\\r\\n"); time.sleep(0.1)
            print("sent 30", flush=True); time.sleep(3)
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
                assertThat(run.ok()).as("%s\nserver logged %s\ndaemon log (the relay's side):\n%s", run, server.commandsLogged(),
                        tail(ref.daemon().log(), 60)).isTrue();
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

    /**
     * Back-pressure per direction: a client that stops reading while its server floods replies
     * stalls the server's direction only — the ALG stops reading that server (the bytes it takes
     * stay bounded), the client's own commands still reach the server, and another session
     * downloads meanwhile.
     */
    @Test
    void aClientThatStopsReadingStallsOnlyTheServersDirection() throws Exception {
        Path dir = ref.lab().dir("gaps-flood");
        BackgroundProcess server = ref.lab().own(ref.lab().server().start("flooder", dir.resolve("flooder.log"), PythonFtpClient.python(),
                "-c", FLOODER));
        server.awaitLine(Pattern.compile("^listening"), Duration.ofSeconds(10));
        BackgroundProcess client = ref.lab().own(ref.lab().client().start("silent", dir.resolve("silent.log"), PythonFtpClient.python(),
                "-c", SILENT_READER));
        client.awaitLine(Pattern.compile("^sent 30"), Duration.ofSeconds(20));

        ClientRun other = ref.run(ref.curl(), FtpJob.download(this.server, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"));
        assertThat(other.ok()).as("another session meanwhile\n%s", other).isTrue();
        assertThat(other.sha256().get("two.bin")).isEqualTo(this.server.file("two.bin").sha256());

        String done = server.awaitLine(Pattern.compile("^done received"), Duration.ofSeconds(20));
        java.util.regex.Matcher m = Pattern.compile("done received (\\d+) sent bytes (\\d+)").matcher(done);
        assertThat(m.find()).as(done).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("the client's commands all reached the server: %s", done).isEqualTo(30);
        long sent = Long.parseLong(m.group(2));
        // what the server got rid of in 8 s: its socket buffers, the ALG's box (half of 16 x 2048 + 4096), the
        // client's socket buffers — megabytes, not the gigabytes an unpaused relay would take
        assertThat(sent).as("the flood was stalled: %s", done).isLessThan(32L << 20);
        assertThat(ref.daemon().alive()).isTrue();
        System.out.printf("flooding server vs a client that stopped reading: %s%n", done);
    }

    private static String value(Cmd.Result r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix + " ")).map(l -> l.substring(prefix.length() + 1)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' in\n" + r.out() + r.err()));
    }

    private static String tail(String log, int lines) {
        String[] all = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
