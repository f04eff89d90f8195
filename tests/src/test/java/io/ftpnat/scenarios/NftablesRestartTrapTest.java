package io.ftpnat.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.LabFirewall;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real router's life around the daemon (issue #18): the ruleset flushed under it, an operator
 * who flushes on purpose, and an uplink that comes up after the daemon.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router ══SNAT masquerade══ (r1) ── server 192.168.10.115:21
 * </pre>
 *
 * The router's own firewall (labfw: forward policy drop, ct state related and ct status dnat
 * accepted) lets a data connection through only when the kernel helper expected it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NftablesRestartTrapTest {
    static final Path POLICY = ProjectHome.example("reference-lab.yaml");
    static final Duration BOUND = Duration.ofSeconds(15);
    ReferenceLab ref;
    FtpServer server;

    @BeforeAll
    void up() {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        server = ref.startServer(ServerKind.VSFTPD, 21);
        ref.startDaemon(POLICY);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    /**
     * What a start or restart of nftables.service does: one transaction of "flush ruleset" and the
     * router's own tables. The daemon sees its table deleted and applies its policy again.
     */
    @Test
    @Order(1)
    void aFlushOfTheWholeRulesetIsUndoneByTheDaemon() {
        String before = ref.router().ftpnatTable();
        String nftablesServiceStart = "flush ruleset\n" + LabFirewall.ruleset(21);
        Path script = ref.lab().dir("trap").resolve("nftables.conf");
        try {
            java.nio.file.Files.writeString(script, nftablesServiceStart);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ref.lab().router().run("nft", "-f", script.toString());

        awaitTrue(() -> ref.router().ftpnatTable() != null, "table inet ftpnat back");
        assertThat(ref.router().ftpnatTable()).as("the same table as before").isEqualTo(before);
        awaitTrue(() -> ref.daemon().log().contains("applied policy digest"), "the restore logged");
        assertThat(ref.daemon().log()).containsPattern("table inet ftpnat removed by pid \\d+ \\(nft\\) .*applied policy digest [0-9a-f]+ again");
        assertThat(ref.daemon().ctl("metrics").out()).contains("ftpnat_table_restores_total 1.0");
        assertThat(ref.daemon().ctl("-o", "json", "status").out()).contains("\"table_restores\" : 1").contains("\"flushed\" : false");
        // the helper is attached again: an active download through the masquerade works
        ClientRun run = ref.run(ref.curl(), FtpJob.download(server, "192.168.10.115", DataMode.PORT, "one.bin"));
        assertThat(run.ok()).as("%s", run).isTrue();
    }

    /** An operator's {@code ftpnatd flush} while the daemon runs: the daemon removes its table and leaves it removed. */
    @Test
    @Order(2)
    void anOperatorsFlushIsNotFought() {
        Cmd.Result flush = ref.lab().router().exec(BOUND, ProjectHome.ftpnatd().toString(), "flush",
                "--socket", ref.daemon().socket().toString());
        assertThat(flush.ok()).as("%s", flush).isTrue();
        assertThat(flush.out()).contains("inet ftpnat removed by the running ftpnatd");
        awaitTrue(() -> ref.daemon().log().contains("not restored, it was flushed on purpose"), "the daemon's notice");
        assertThat(ref.router().ftpnatTable()).as("still gone after the daemon noticed").isNull();
        assertThat(ref.daemon().ctl("-o", "json", "status").out()).contains("\"flushed\" : true").contains("\"table_restores\" : 1");
        // the next apply ends the flushed state
        Cmd.Result apply = ref.daemon().ctl("policy", "apply");
        assertThat(apply.ok()).as("%s", apply).isTrue();
        assertThat(ref.router().ftpnatTable()).isNotNull();
        assertThat(ref.daemon().ctl("-o", "json", "status").out()).contains("\"flushed\" : false");
    }

    /**
     * Boot with a late uplink: the daemon starts while the interface its SNAT rules name does not
     * exist (warned, not refused), and FTP works once the interface appears. 3 s, not the 20 s of a
     * slow PPP link: nothing in the daemon waits or polls for interfaces (nftables matches the
     * name when a packet passes), so the delay's length cannot change the outcome; it only has to
     * put the interface's arrival after the daemon's start.
     */
    @Test
    @Order(3)
    void anUplinkThatAppearsAfterTheDaemonIsUsedOnceItIsThere() throws Exception {
        ref.daemon().stop();
        ref.lab().router().run("ip", "link", "set", "r1", "down");
        ref.lab().router().run("ip", "link", "set", "r1", "name", "r1late");
        try {
            ref.startDaemon(POLICY);
            assertThat(ref.daemon().log()).contains("snat[0] (lan): out_interface 'r1' does not exist yet");
            assertThat(ref.daemon().ctl("-o", "json", "status").out()).contains("\"state\" : \"ready\"");
            Thread.sleep(3000);
        } finally {
            ref.lab().router().run("ip", "link", "set", "r1late", "name", "r1");
            ref.lab().router().run("ip", "link", "set", "r1", "up");
        }
        assertThat(ref.daemon().alive()).isTrue();
        ClientRun run = ref.run(ref.curl(), FtpJob.download(server, "192.168.10.115", DataMode.PORT, "two.bin"));
        assertThat(run.ok()).as("active mode through the SNAT rule on the late interface: %s", run).isTrue();
        assertThat(ref.router().conntrack().stream().filter(e -> e.original() != null && e.original().dport() == 21)
                .map(io.ftpnat.lab.ConntrackEntry::helper)).contains("ftp");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(what + ": not within " + BOUND);
    }
}
