package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ConntrackEntry;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.LabFirewall;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServedFile;
import io.ftpnat.lab.Vsftpd;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The daemon's life cycle as the issue promises it: a daemon that stops or restarts never cuts a
 * transfer (the kernel keeps forwarding; the table stays), an open FTP session keeps opening data
 * connections across a restart, {@code ftpnatd flush} removes ftpnat's table and nothing else
 * (the router's own firewall is untouched), and an invalid policy at start applies nothing.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1:21 ══DNAT══ (r1) ── server 192.168.10.115:21
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonLifecycleTest {
    static final Path POLICY = ProjectHome.example("reference-lab.yaml");
    ReferenceLab ref;
    FtpServer server;

    @BeforeAll
    void up() {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        // the server sends at most 2 MB/s, so a download can be caught in the middle
        server = Vsftpd.start(ref.lab(), 21, ReferenceLab.FILES, Map.of("anon_max_rate", "2000000"));
        ref.startDaemon(POLICY);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    @Test
    @Order(1)
    void stoppingTheDaemonMidTransferDoesNotCutIt() {
        String table = ref.router().ftpnatTable();
        ServedFile big = ServedFile.create(server.root(), "four.bin", 4_000_000);
        // 4 MB at 2 MB/s: the daemon is stopped a second into a two-second download
        CompletableFuture<Cmd.Result> download = CompletableFuture.supplyAsync(() -> ref.lab().client().exec(
                Duration.ofSeconds(30), "curl", "-sS", "--disable-epsv", "-u", "anonymous:lab@",
                "-o", ref.lab().dir("lifecycle").resolve("four.bin").toString(), "ftp://" + ROUTER_INSIDE_V4 + "/four.bin"));
        sleep(1000);
        assertThat(download).as("still downloading when the daemon stops").isNotDone();
        assertThat(ref.daemon().stop()).as("exit code after SIGTERM").isZero();
        Cmd.Result r = download.join();
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(ServedFile.sha256(ref.lab().dir("lifecycle").resolve("four.bin"))).isEqualTo(big.sha256());
        assertThat(ref.router().ftpnatTable()).as("the table outlives the daemon").isEqualTo(table);
        ref.startDaemon(POLICY);
    }

    @Test
    @Order(2)
    void aRestartedDaemonKeepsAnOpenSessionWorking() throws Exception {
        // one control session: RETR one.bin, then the daemon restarts, then RETR two.bin
        Path dir = ref.lab().dir("restart");
        Path go = dir.resolve("go");
        String script = """
                import ftplib, os, sys, time
                d, go = sys.argv[1], sys.argv[2]
                f = ftplib.FTP(timeout=10)
                f.trust_server_pasv_ipv4_address = True
                f.connect("%s", 21)
                f.login("anonymous", "lab@")
                f.retrbinary("RETR one.bin", open(d + "/one.bin", "wb").write)
                print("first done", flush=True)
                for _ in range(300):
                    if os.path.exists(go): break
                    time.sleep(0.1)
                f.retrbinary("RETR two.bin", open(d + "/two.bin", "wb").write)
                f.quit()
                print("second done", flush=True)
                """.formatted(ROUTER_INSIDE_V4);
        CompletableFuture<Cmd.Result> session = CompletableFuture.supplyAsync(() -> ref.lab().client().exec(
                Duration.ofSeconds(60), PythonFtpClient.python(), "-c", script, dir.toString(), go.toString()));
        awaitFile(dir.resolve("one.bin"), server.file("one.bin").size());
        ref.daemon().stop();
        ref.startDaemon(POLICY);
        Files.writeString(go, "go");
        Cmd.Result r = session.join();
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.out()).contains("second done");
        assertThat(ServedFile.sha256(dir.resolve("one.bin"))).isEqualTo(server.file("one.bin").sha256());
        assertThat(ServedFile.sha256(dir.resolve("two.bin"))).isEqualTo(server.file("two.bin").sha256());
        assertThat(ref.router().conntrack().stream().filter(e -> e.original() != null && e.original().dport() == 21)
                .map(ConntrackEntry::helper)).contains("ftp");
    }

    @Test
    @Order(3)
    void flushRemovesOnlyFtpnatsTable() {
        String labfw = ref.lab().router().run("nft", "-s", "list", "table", "inet", LabFirewall.TABLE);
        ref.daemon().stop();
        Cmd.Result flush = ref.lab().router().exec(Duration.ofSeconds(30), ProjectHome.ftpnatd().toString(), "flush");
        assertThat(flush.ok()).as("%s", flush).isTrue();
        assertThat(ref.router().ftpnatTable()).as("ftpnat's table after flush").isNull();
        assertThat(ref.lab().router().run("nft", "-s", "list", "table", "inet", LabFirewall.TABLE))
                .as("the router's own firewall is untouched").isEqualTo(labfw);
        // with the helper gone, the firewall drops the passive data connection again
        ClientRun run = ref.run(ref.curl(), FtpJob.download(server, "192.168.10.115", DataMode.PASV, "two.bin")
                .withTimeout(Duration.ofSeconds(8)));
        assertThat(run.ok()).as("%s", run).isFalse();
    }

    @Test
    @Order(4)
    void anInvalidPolicyAtStartAppliesNothing() throws Exception {
        Path bad = ref.lab().workDir().resolve("bad.yaml");
        Files.writeString(bad, Files.readString(POLICY).replace("source: 10.10.10.0/24", "source: 10.10.10.0/40"));
        Cmd.Result r = ref.lab().router().exec(Duration.ofSeconds(30), ProjectHome.ftpnatd().toString(), "run",
                "--policy", bad.toString(), "--no-api");
        assertThat(r.exit()).as("%s", r).isEqualTo(1);
        assertThat(r.out() + r.err()).contains(bad + ":").contains("snat[0].source");
        assertThat(ref.router().ftpnatTable()).isNull();
    }

    private static void awaitFile(Path p, long size) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Files.exists(p) && Files.size(p) == size) return;
            Thread.sleep(50);
        }
        throw new AssertionError(p + " did not reach " + size + " bytes");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
