package io.ftpnat.scenarios;

import static io.ftpnat.lab.Requirement.require;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #15: a router pair, and every FTP session survives a failover.
 *
 * <pre>
 *   client 10.10.10.2 ─ lan ─┬─ A (master, priority 150) ─┬─ wan ─ server 192.168.10.115 (vsftpd)
 *                            └─ B (backup, priority 100) ─┘
 *   VIPs 10.10.10.1 / 192.168.10.114 by keepalived; A ── sync link ── B: conntrackd FTFW + ftpnatd
 * </pre>
 *
 * The lab and the scenario are scripts/ha-lab (also run by hand, for the full matrix and the
 * comparison with conntrackd alone: docs/benchmarks.md). Here, the hard failure, the one conntrackd
 * alone fails most: eight sessions are open through A — SNAT (the client talks to the server's
 * address) and DNAT (to the LAN VIP), active and passive, a 24 MiB download in flight and a
 * PORT/PASV answered by A whose RETR only comes after — when A's three links go down. B commits
 * conntrackd's state, ftpnatd on B writes the sequence adjustments and puts the expectations back
 * with their NAT. Then A returns as backup, eight new sessions open through B, and B's links go
 * down: the failback to A.
 *
 * <p>What each side sees: the client every file complete (sha256 identical) and the 226 and a NOOP
 * answered on the control connection after the failover; the server every RETR intact (no "500
 * Unknown command": the client's address text is 4 characters shorter than the VIP's, so a missing
 * adjustment would shift every later byte); each new master's ftpnatd reports what it corrected.
 * Runs 40-70 s (measured); the graceful failure is in scripts/ha-lab/run-matrix.sh (~60 s more).
 */
class FailoverTest {
    static final Pattern CASE = Pattern.compile(
            "^case (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (ok|FAIL) bytes=(\\d+)/(\\d+) sha=(\\S+) failover_s=(\\S+) error=(\\S*) stall_s=(\\S+)$");

    record Case(String round, String nat, String mode, String when, boolean ok, long bytes, long size, boolean shaOk,
                double failoverSeconds, String error) {
        @Override
        public String toString() { return round + " " + nat + " " + mode + " " + when; }
    }

    @Test
    void everySessionSurvivesAHardFailoverAndTheFailback() throws Exception {
        LabAssumptions.assumeDaemon();
        require(Cmd.onPath("keepalived") && Cmd.onPath("conntrackd"),
                "the router-pair lab needs keepalived and conntrackd: run scripts/install-deps");
        Path out = Files.createTempFile("failover-", ".txt");
        String tag = "ftpnat-ha-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        try {
            Cmd.Result run = Cmd.run(Duration.ofSeconds(300), ProjectHome.get().resolve("scripts/ha-lab/run-matrix.sh").toString(),
                    "--ha", "yes", "--failures", "hard", "--out", out.toString(), "--tag", tag);
            String report = Files.readString(out);
            assertThat(run.ok()).as("run-matrix.sh\n%s\n%s\n%s", run.err(), run.out(), report).isTrue();
            List<Case> cases = report.lines().map(CASE::matcher).filter(Matcher::matches).map(m -> new Case(m.group(2), m.group(3),
                    m.group(4), m.group(5), m.group(6).equals("ok"), Long.parseLong(m.group(7)), Long.parseLong(m.group(8)),
                    m.group(9).equals("ok"), Double.parseDouble(m.group(10)), m.group(11))).toList();

            // the client: 2 rounds x {SNAT, DNAT} x {active, passive} x {in flight, negotiated before}
            assertThat(cases).as(report).hasSize(16);
            for (Case c : cases) {
                assertThat(c.ok()).as("%s: %s\n%s", c, c.error(), report).isTrue();
                assertThat(c.bytes()).as("%s: bytes lost", c).isEqualTo(c.size());
                assertThat(c.shaOk()).as("%s: sha256", c).isTrue();
                assertThat(c.failoverSeconds()).as("%s: the backup took over", c).isLessThan(30);
            }

            // the server: every RETR read as sent
            Matcher server = Pattern.compile("# hard server: retr_small=(\\d+) unknown_command=(\\d+)").matcher(report);
            assertThat(server.find()).as(report).isTrue();
            assertThat(Integer.parseInt(server.group(1))).as("RETR small.bin received intact").isEqualTo(8);
            assertThat(Integer.parseInt(server.group(2))).as("500 Unknown command").isZero();

            // each router's ftpnatd, at its promotion: per round, 6 of the 8 control connections carry an
            // adjustment (SNAT passive rewrites nothing) and 4 still have a pending expectation (the
            // negotiated-before ones); A also sees the first round's closed connections, still in conntrack;
            // nothing refused, nothing failed
            ObjectMapper json = new ObjectMapper();
            for (String router : List.of("a", "b")) {
                Matcher m = Pattern.compile("# hard ftpnatd " + router + " ha status: (\\{.*)$", Pattern.MULTILINE).matcher(report);
                assertThat(m.find()).as(report).isTrue();
                JsonNode status = json.readTree(m.group(1));
                JsonNode last = status.path("last_failover");
                assertThat(status.path("promotions").asInt()).as("%s promoted\n%s", router, status).isGreaterThanOrEqualTo(1);
                assertThat(last.path("sequence_adjustments_written").asInt()).as("%s\n%s", router, last).isGreaterThanOrEqualTo(6);
                assertThat(last.path("expectations_restored_with_nat").asInt()).as("%s\n%s", router, last).isEqualTo(4);
                assertThat(last.path("refused_inconsistent").asInt()).isZero();
                assertThat(last.path("errors").asInt()).isZero();
                assertThat(status.path("messages_rejected").asInt()).as("no message of the peer rejected").isZero();
            }
        } finally {
            Files.deleteIfExists(out);
            removeNamespaces(tag);
        }
    }

    /** The script removes its lab on exit; if it was killed (timeout), its namespaces and what runs in them go here. */
    static void removeNamespaces(String tag) {
        Cmd.Result list = Cmd.run(Duration.ofSeconds(5), "ip", "netns", "list");
        for (String line : list.out().split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.startsWith(tag + "-")) continue;
            Cmd.Result pids = Cmd.run(Duration.ofSeconds(5), "ip", "netns", "pids", name);
            for (String pid : pids.out().trim().split("\\s+")) {
                if (!pid.isBlank()) Cmd.run(Duration.ofSeconds(5), "kill", "-KILL", pid.trim());
            }
            Cmd.run(Duration.ofSeconds(10), "ip", "netns", "del", name);
        }
    }
}
