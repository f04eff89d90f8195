package io.ftpnat.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.LabFirewall;
import io.ftpnat.lab.NamespaceLab;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import io.ftpnat.lab.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fixture itself, without the daemon: the topology routes, the lab firewall drops a data
 * connection nobody expected, and with the ruleset the daemon is meant to render (applied by hand
 * here) both of the seed's transfers work. If this passes and a daemon scenario fails, the daemon
 * is at fault, not the lab.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabSelfTest {
    ReferenceLab ref;
    FtpServer vsftpd;

    @BeforeAll
    void up() {
        LabAssumptions.assumeLab();
        ref = ReferenceLab.create();
        vsftpd = ref.startServer(ServerKind.VSFTPD, 21);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    @Test
    void namespacesAreOursAndRemovedOnClose() {
        NamespaceLab lab = NamespaceLab.create();
        String router = lab.router().name();
        assertThat(router).matches("ftpnat-\\d+-\\d+-router");
        assertThat(Cmd.run("ip", "netns", "list").out()).contains(router);
        lab.close();
        assertThat(Cmd.run("ip", "netns", "list").out()).doesNotContain(lab.prefix() + "-");
    }

    @Test
    void leftoversOfACrashedRunAreRemovedOthersAreNot() {
        // a lab namespace whose JVM (pid in the name) is gone, and one that is not a lab's
        String orphan = "ftpnat-" + Integer.MAX_VALUE + "-1-router";
        String notOurs = "ftpnat-selftest-keep";
        Cmd.run("ip", "netns", "add", orphan).check();
        Cmd.run("ip", "netns", "add", notOurs).check();
        try {
            assertThat(NamespaceLab.removeLeftovers()).contains(orphan);
            String list = Cmd.run("ip", "netns", "list").out();
            assertThat(list).doesNotContain(orphan).contains(notOurs).contains(ref.lab().router().name());
        } finally {
            Cmd.run("ip", "netns", "del", orphan);
            Cmd.run("ip", "netns", "del", notOurs);
        }
    }

    @Test
    void withoutFtpnatTheFirewallDropsTheDataConnection() {
        ref.router().flushConntrack();
        ref.lab().router().exec("nft", "delete", "table", "inet", "ftpnat");
        long before = LabFirewall.dropped(ref.lab().router());
        // The control connection is admitted (new, port 21), the data connection is not RELATED: dropped.
        ClientRun run = ref.run(ref.curl(), FtpJob.download(vsftpd, Topology.SERVER_V4, DataMode.PASV, "one.bin")
                .withTimeout(Duration.ofSeconds(8)));
        assertThat(run.ok()).as("%s", run).isFalse();
        assertThat(run.receivedReply("227")).contains(Topology.commas(Topology.SERVER_V4));
        assertThat(LabFirewall.dropped(ref.lab().router())).isGreaterThan(before);
    }

    @Test
    void withTheHandWrittenRulesetBothSeedTransfersWork() throws IOException {
        ref.router().flushConntrack();
        String ruleset;
        try (InputStream in = getClass().getResourceAsStream("/reference-ruleset.nft")) {
            ruleset = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ref.lab().router().exec("nft", "delete", "table", "inet", "ftpnat");
        Cmd.runWithInput(Cmd.DEFAULT_TIMEOUT, ruleset, "ip", "netns", "exec", ref.lab().router().name(), "nft", "-f", "-").check();
        try {
            ClientRun active = ref.run(ref.curl(), FtpJob.download(vsftpd, Topology.SERVER_V4, DataMode.PORT, "one.bin"));
            assertThat(active.ok()).as("%s", active).isTrue();
            assertThat(active.sha256().get("one.bin")).isEqualTo(vsftpd.file("one.bin").sha256());
            ClientRun passive = ref.run(ref.curl(), FtpJob.download(vsftpd, Topology.ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"));
            assertThat(passive.ok()).as("%s", passive).isTrue();
            assertThat(passive.receivedReply("227")).contains("(10,10,10,1,");
            assertThat(passive.sha256().get("two.bin")).isEqualTo(vsftpd.file("two.bin").sha256());
        } finally {
            ref.lab().router().exec("nft", "delete", "table", "inet", "ftpnat");
        }
    }
}
