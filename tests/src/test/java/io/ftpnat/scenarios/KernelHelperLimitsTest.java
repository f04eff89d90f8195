package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpAddress;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import io.ftpnat.lab.Vsftpd;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Characterization of what the kernel helper gets wrong (BRIEF, "What the kernel helper gets
 * wrong", cases 1 to 3), with ftpnatd in kernel mode: these tests pin the kernel's failures, so the
 * userspace ALG (mode: proxy) has a ready regression harness — when it handles a case, its
 * scenario turns from "fails like this" into "works". Case 2 is repaired by the daemon's session
 * model (observation + an expectation of its own): its test shows the kernel alone failing and the
 * daemon repairing it. Cases 1 and 3 stay as they are; the daemon diagnoses them. The same cases
 * through the ALG, working: {@link ProxySecurityAndLimitsTest} (and {@link ProxyRawClientTest} for
 * the split PORT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelHelperLimitsTest {
    ReferenceLab ref;
    FtpServer server;
    FtpServer misconfigured;

    @BeforeAll
    void up() {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        server = ref.startServer(ServerKind.VSFTPD, 21);
        // helpers on 21 and 2121 for the inside network (and 10.10.10.1:2121 published)
        ref.startDaemon(ProjectHome.example("nonstandard-port.yaml"));
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    /** Case 1: a PORT command split across two TCP segments stalls: the helper drops the partial match. */
    @Test
    void portSplitAcrossTwoSegmentsStalls() {
        String script = """
                import socket, time
                s = socket.create_connection(("%s", 21), timeout=10)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                f = s.makefile("rb")
                def reply():
                    line = f.readline().decode().rstrip()
                    while len(line) > 3 and line[3] == "-":
                        line = f.readline().decode().rstrip()
                    return line
                print("<", reply(), flush=True)
                for c in ("USER anonymous", "PASS lab@"):
                    s.sendall((c + "\\r\\n").encode()); print("<", reply(), flush=True)
                s.sendall(b"PORT 10,10,10,2,")
                time.sleep(0.3)
                s.sendall(b"195,80\\r\\n")
                s.settimeout(5)
                try:
                    print("<", reply(), flush=True)
                except socket.timeout:
                    print("STALLED", flush=True)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), PythonFtpClient.python(), "-c", script);
        assertThat(r.out()).as("%s", r).contains("< 230");
        assertThat(r.out()).as("no reply to the split PORT within 5 s\n%s", r).contains("STALLED");
        // observation cannot repair a segment the helper drops: the daemon says so (for mode: proxy)
        awaitLog("PORT not at the first byte of one TCP segment (a later line of its segment, or a line split across segments)");
    }

    /**
     * Case 3: a PORT naming an address other than the client's own (a client behind a second NAT,
     * or an FTP bounce attempt): the helper ignores it — no rewrite, no expectation, no hole in the
     * firewall. A security property as much as a limit: it must stay this way for third parties.
     */
    @Test
    void portNamingAThirdPartyAddressOpensNothing() {
        String script = """
                import socket
                s = socket.create_connection(("%s", 21), timeout=10)
                f = s.makefile("rb")
                def reply():
                    line = f.readline().decode().rstrip()
                    while len(line) > 3 and line[3] == "-":
                        line = f.readline().decode().rstrip()
                    return line
                print("<", reply(), flush=True)
                for c in ("USER anonymous", "PASS lab@", "PORT 10,10,10,99,195,80"):
                    s.sendall((c + "\\r\\n").encode()); print(">", c); print("<", reply(), flush=True)
                s.sendall(b"QUIT\\r\\n")
                """.formatted(SERVER_V4);
        ref.router().flushConntrack();
        Cmd.Result r;
        try (var cap = ref.captureAtServer("third-party-port")) {
            r = ref.lab().client().exec(Duration.ofSeconds(30), PythonFtpClient.python(), "-c", script);
            assertThat(r.out()).as("%s", r).contains("> PORT 10,10,10,99,195,80");
            assertThat(ref.router().expectations()).as("no expectation for 10.10.10.99").isEmpty();
            var atServer = io.ftpnat.lab.FtpDialogue.from(cap.stop(), 21);
            assertThat(atServer).as("%s", r).hasSize(1);
            assertThat(atServer.get(0).command("PORT")).as("not rewritten").isEqualTo("PORT 10,10,10,99,195,80");
        }
        assertThat(ref.router().conntrack()).anyMatch(e -> e.original() != null && e.original().dport() == 21
                && "ftp".equals(e.helper()));
        awaitLog("PORT names 10.10.10.99 but the client is 10.10.10.2: a third party (FTP bounce)");
        assertThat(ref.router().expectations()).as("the daemon opens nothing either").isEmpty();
    }

    private void awaitLog(String text) {
        for (int i = 0; i < 50 && !ref.daemon().log().contains(text); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(ref.daemon().log()).contains(text);
    }

    /**
     * Case 2: a 227 naming an address that is not the server's (vsftpd with pasv_address=198.51.100.9,
     * as behind the server's own NAT). The kernel alone — the daemon stopped, its table in place, no
     * one reading the observer's copies — neither rewrites it nor expects a connection, and curl's
     * data connection (to the server it knows) is dropped. With the daemon running, the session
     * model sees the 227, creates the expectation the helper would have, and the transfer works.
     */
    @Test
    void pasvReplyWithAForeignAddressFailsWithTheKernelAloneAndIsRepairedByTheDaemon() {
        if (misconfigured == null) {
            misconfigured = ref.lab().own(Vsftpd.start(ref.lab(), 2121, ReferenceLab.FILES,
                    Map.of("pasv_address", "198.51.100.9", "pasv_addr_resolve", "NO",
                            // vsftpd ignores pasv_address on an IPv6 socket: IPv4 only here
                            "listen", "YES", "listen_ipv6", "NO")));
        }
        FtpJob job = FtpJob.download(misconfigured, SERVER_V4, DataMode.PASV, "one.bin").withTimeout(Duration.ofSeconds(8));
        ref.daemon().stop();
        Observation o = Observation.of(ref, ref.curl(), job, 2121);
        assertThat(o.client().ok()).as("the kernel alone\n%s", o).isFalse();
        assertThat(FtpAddress.parse(o.client().receivedReply("227")).host()).isEqualTo("198.51.100.9");
        assertThat(o.controlEntries(2121)).as("the helper was attached: it is the helper that gave up")
                .anyMatch(e -> "ftp".equals(e.helper()));
        assertThat(ref.router().expectations()).isEmpty();

        ref.startDaemon(ProjectHome.example("nonstandard-port.yaml"));
        var run = ref.run(ref.curl(), job.withTimeout(Duration.ofSeconds(20)));
        assertThat(run.ok()).as("with the daemon\n%s\n%s", run, ref.daemon().log()).isTrue();
        assertThat(FtpAddress.parse(run.receivedReply("227")).host()).as("still unrewritten").isEqualTo("198.51.100.9");
        assertThat(ref.daemon().log()).contains("server advertised 198.51.100.9 in 227 but is 192.168.10.115; the kernel recorded no expectation");
    }
}
