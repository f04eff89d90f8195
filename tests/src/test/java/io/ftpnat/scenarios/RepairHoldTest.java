package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import io.ftpnat.lab.WrongPasvAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Repairs that never lose the race (issue #13, item 4): the router holds a server's 227 that
 * needs a repair until the repair is in, so even a client 0 ms away cannot connect first.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1 | 192.168.10.114 (r1)── server 192.168.10.115
 *                           ftpnatd: NFLOG observer + NFQUEUE hold (queue 2121, bypass)
 *   server: vsftpd :21 (correct), vsftpd :2121 with pasv_address=198.51.100.9 (wrong)
 *   published: 10.10.10.1:2121 → 192.168.10.115:2121 (DNAT); the client's LAN goes out by SNAT
 * </pre>
 *
 * The router's firewall drops every forwarded connection that is neither a control connection nor
 * RELATED. Without the hold, a curl client's data SYN to 10.10.10.1 often arrives before the
 * daemon's repair and is answered with a RST by the router itself (docs/benchmarks.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepairHoldTest {
    static final int TRANSFERS = 30;
    ReferenceLab ref;
    FtpServer good;
    FtpServer misconfigured;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        LabAssumptions.assumeServer(ServerKind.VSFTPD);
        ref = ReferenceLab.create(21, 2121);
        good = ref.startServer(ServerKind.VSFTPD, 21);
        misconfigured = WrongPasvAddress.start(ref.lab());
        Path policy = WrongPasvAddress.policy(ref.lab().dir("hold").resolve("policy.yaml"));
        ref.startDaemon(policy, "--reconcile-interval", "2");
        assertThat(ref.daemon().log()).contains("holding 227/228 replies that may need a repair until it is in");
        assertThat(ref.lab().router().run("nft", "list", "chain", "inet", "ftpnat", "hold_queue")).contains("queue num 2121 bypass");
    }

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    /** The race scenario: DNAT, wrong pasv_address, curl 0 ms away connects at once to 10.10.10.1. Every transfer works. */
    @Test
    @Order(1)
    void everyTransferOfALanClientThroughDnatWithAWrongPasvAddressSucceeds() {
        long heldBefore = counter("hold_reply");
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < TRANSFERS; i++) {
            ClientRun run = ref.run(ref.curl(), FtpJob.download(misconfigured, ROUTER_INSIDE_V4, DataMode.PASV, "one.bin")
                    .withTimeout(Duration.ofSeconds(20)));
            if (!run.ok() || !sha(misconfigured, "one.bin").equals(run.sha256().get("one.bin"))) {
                failed.add("transfer " + (i + 1) + ": " + run);
            }
        }
        assertThat(failed).as("failed transfers\n%s", ref.daemon().log()).isEmpty();
        assertThat(counter("hold_reply") - heldBefore).as("each 227 went through the hold").isGreaterThanOrEqualTo(TRANSFERS);
        assertThat(ref.daemon().log()).doesNotContain("released at its deadline");
    }

    /**
     * Through SNAT, ftplib trusting the 227 connects to 198.51.100.9: its SYN is held before
     * connection tracking until the daemon moved the expectation there, then goes on as RELATED.
     */
    @Test
    @Order(2)
    void aClientThatTrustsTheForeignAddressThroughSnatSucceedsEveryTime() {
        long synsBefore = counter("hold_connect");
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ClientRun run = ref.run(ref.python(), FtpJob.download(misconfigured, SERVER_V4, DataMode.PASV, "one.bin")
                    .withTimeout(Duration.ofSeconds(20)));
            if (!run.ok() || !sha(misconfigured, "one.bin").equals(run.sha256().get("one.bin"))) {
                failed.add("transfer " + (i + 1) + ": " + run);
            }
        }
        assertThat(failed).as("failed transfers\n%s", ref.daemon().log()).isEmpty();
        assertThat(counter("hold_connect") - synsBefore).as("each client's SYN to 198.51.100.9 was held").isGreaterThanOrEqualTo(10);
    }

    /**
     * SIGKILL: nobody listens on the queue any more. A 227 on a control connection that was open
     * before the crash still reaches the client (bypass: it goes through the same queueing rule,
     * which lets it pass), and its transfer works by the kernel helper's own expectation; so does
     * a new session.
     */
    @Test
    @Order(3)
    void withTheDaemonKilledHeldRepliesPassAndTheControlConnectionKeepsWorking() throws Exception {
        Path script = ref.lab().dir("hold").resolve("two_transfers.py");
        Path go = ref.lab().dir("hold").resolve("go");
        Files.writeString(script, TWO_TRANSFERS.formatted(SERVER_V4, 21, go));
        BackgroundProcess client = ref.lab().own(ref.lab().client().start("two-transfers", ref.lab().dir("hold").resolve("two.log"),
                PythonFtpClient.python(), script.toString()));
        client.awaitLine(Pattern.compile("data-ok one.bin|data-failed"), Duration.ofSeconds(20));
        assertThat(client.log()).contains("data-ok one.bin");

        assertThat(ref.daemon().kill()).isNotZero();
        long heldBefore = counter("hold_reply");
        Files.writeString(go, "go");
        client.awaitLine(Pattern.compile("data-ok two.bin|data-failed"), Duration.ofSeconds(30));
        assertThat(client.log()).as("the 227 after the crash reached the client and its transfer worked")
                .contains("< 227").contains("data-ok two.bin");
        assertThat(counter("hold_reply") - heldBefore).as("that 227 went through the queueing rule: it passed by bypass").isPositive();

        ClientRun fresh = ref.run(ref.curl(), FtpJob.download(good, SERVER_V4, DataMode.PASV, "one.bin").withTimeout(Duration.ofSeconds(20)));
        assertThat(fresh.ok()).as("%s", fresh).isTrue();
    }

    /** The queueing rule is part of ftpnat's table: 'ftpnatd flush' removes it with the table, and nothing queues any more. */
    @Test
    @Order(4)
    void flushRemovesTheQueueingRuleWithTheTable() {
        io.ftpnat.lab.Cmd.Result flush = ref.lab().router().exec(Duration.ofSeconds(30),
                io.ftpnat.lab.ProjectHome.ftpnatd().toString(), "flush");
        assertThat(flush.exit()).as("%s", flush).isZero();
        assertThat(ref.lab().router().run("nft", "list", "ruleset")).doesNotContain("table inet ftpnat").doesNotContain("queue");
    }

    /** Packets the rule in {@code chain} counted (its first counter). */
    private long counter(String chain) {
        String text = ref.lab().router().run("nft", "list", "chain", "inet", "ftpnat", chain);
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(text);
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    private static String sha(FtpServer server, String name) {
        return server.files().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().sha256();
    }

    /** One control connection, two passive downloads; the second only after the test's go (a file). */
    static final String TWO_TRANSFERS = """
            import socket, os, time
            host, port, go = "%s", %d, "%s"
            s = socket.create_connection((host, port), timeout=20); f = s.makefile("rb")
            def reply():
                line = f.readline().decode().rstrip()
                while len(line) > 3 and line[3] == "-":
                    line = f.readline().decode().rstrip()
                print("<", line, flush=True); return line
            def cmd(c):
                s.sendall((c + "\\r\\n").encode()); return reply()
            def fetch(name):
                try:
                    r = cmd("PASV")
                    n = [int(x) for x in r[r.index("(") + 1:r.index(")")].split(",")]
                    d = socket.create_connection((host, n[4] * 256 + n[5]), timeout=10)
                    cmd("RETR " + name)
                    got = 0
                    while True:
                        b = d.recv(65536)
                        if not b: break
                        got += len(b)
                    reply()
                    print("data-ok", name, got, flush=True)
                except Exception as e:
                    print("data-failed", name, e, flush=True)
            reply(); cmd("USER anonymous"); cmd("PASS lab@"); cmd("TYPE I")
            fetch("one.bin")
            for i in range(600):
                if os.path.exists(go): break
                time.sleep(0.1)
            fetch("two.bin")
            cmd("QUIT")
            """;
}
