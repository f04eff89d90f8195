package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.Daemon;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServedFile;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The daemon crashes in the middle of a download, and the download does not notice.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1:21 ══DNAT══ (r1) ── server 192.168.10.115:21
 *                             ftpnatd: SIGKILL, then started again
 * </pre>
 *
 * The kernel carries the FTP session: the helper is attached to the control connection, the NAT
 * bindings and the data connection live in conntrack, and the daemon's table stays in place when
 * the daemon dies. A new daemon applies the same policy (same digest, an atomic swap that keeps
 * every conntrack entry) and finds the session in the kernel tables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonRestartTest {
    private static final int SIZE = 24 << 20;
    private ReferenceLab ref;

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    @Test
    void sigkillDuringADownloadCutsNothingAndTheNewDaemonSeesTheSession() throws Exception {
        LabAssumptions.assumeDaemon();
        LabAssumptions.assumeServer(ServerKind.VSFTPD);
        ref = ReferenceLab.create();
        FtpServer server = ref.startServer(ServerKind.VSFTPD, 21);
        ServedFile big = ServedFile.create(server.root(), "big.bin", SIZE);
        Daemon first = ref.startDaemon(ProjectHome.example("reference-lab.yaml"));
        String tableBefore = withoutCounters(ref.router().ftpnatTable());

        // passive mode through the published address, slowed down so the crash lands mid-transfer
        Path out = ref.lab().dir("restart").resolve("big.bin");
        BackgroundProcess download = ref.lab().own(ref.lab().client().start("curl-big", ref.lab().dir("restart").resolve("curl.log"),
                "curl", "-sS", "--disable-epsv", "--limit-rate", "3M", "--max-time", "60",
                "-u", server.user() + ":" + server.password(), "-o", out.toString(),
                "ftp://" + ROUTER_INSIDE_V4 + "/big.bin"));
        awaitSize(out, 2 << 20, download);

        assertThat(first.kill()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(withoutCounters(ref.router().ftpnatTable())).as("the table outlives the daemon").isEqualTo(tableBefore);
        long atCrash = Files.size(out);
        assertThat(atCrash).as("the crash lands mid-transfer").isLessThan(SIZE);

        Daemon second = ref.startDaemon(ProjectHome.example("reference-lab.yaml"));
        assertThat(second.log()).contains(digestOf(first));
        Cmd.Result sessions = Cmd.run(Duration.ofSeconds(30), ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", second.socket().toString(), "-o", "table", "sessions");
        assertThat(sessions.ok()).as("%s", sessions).isTrue();
        assertThat(sessions.out()).as("the new daemon finds the session in the kernel")
                .contains("session " + CLIENT_V4 + ":").contains("helper ftp").contains("data       " + CLIENT_V4 + ":");
        // recovered: it existed when this daemon started. (The diagnosis says so only while nothing of the
        // dialogue was seen since: the transfer may end, and its 226 be observed, before this query.)
        Cmd.Result json = Cmd.run(Duration.ofSeconds(30), ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", second.socket().toString(), "-o", "json", "sessions");
        assertThat(json.out()).as("the session is the previous daemon's, recovered\n%s", json.out())
                .containsPattern("\"recovered\"\\s*:\\s*true");
        assertThat(second.log()).as("it says what it recovered, before it announces the policy")
                .containsPattern("session model rebuilt from the kernel: [1-9]\\d* FTP sessions recovered");

        assertThat(download.awaitExit(Duration.ofSeconds(60))).as("curl\n%s", download.log()).isZero();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(ServedFile.sha256(out)).isEqualTo(big.sha256());
    }

    private static void awaitSize(Path file, long size, BackgroundProcess download) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Files.exists(file) && Files.size(file) >= size) {
                return;
            }
            if (!download.alive()) {
                throw new AssertionError("curl ended early:\n" + download.log());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the download did not reach " + size + " bytes in 10 s:\n" + download.log());
    }

    private static String digestOf(Daemon d) {
        var m = java.util.regex.Pattern.compile("digest ([0-9a-f]{16})").matcher(d.log());
        assertThat(m.find()).as("digest in\n%s", d.log()).isTrue();
        return "digest " + m.group(1);
    }

    private static String withoutCounters(String table) {
        return table == null ? null : table.replaceAll("counter packets \\d+ bytes \\d+", "counter");
    }
}
