package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ConntrackEntry;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpAddress;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.LabFirewall;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scenario 6 — negative controls: what the policy does not name gets no helper, and a bad policy
 * on reload changes nothing.
 *
 * <p>The lab runs reference-lab.yaml (helpers for control port 21 only) with a server on 21 and a
 * second server on 2121. The lab firewall admits new control connections to both ports, so the
 * client logs in on 2121, and the router's own NAT (a general masquerade beside ftpnat's table)
 * translates it — but no rule attaches a helper to that flow: the PORT goes through unrewritten
 * (the server sees the client's private 10,10,10,2 from 192.168.10.114 and refuses it, or tries
 * to connect there and is dropped), the 227 comes back with the server's address unexpected, no
 * expectation is made, and the client's data connection, not RELATED to anything, is dropped by
 * the firewall's stateful forward policy.
 *
 * <p>Then the daemon is sent SIGHUP with a broken policy: it logs {@code policy rejected}, the
 * table stays exactly as it was, and FTP keeps working; a valid new policy (the non-standard port
 * one) is then applied on the next SIGHUP and 2121 starts working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NegativeControlsTest {
    ReferenceLab ref;
    FtpServer on21;
    FtpServer on2121;
    Path policy;

    @BeforeAll
    void up() throws IOException {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        on21 = ref.startServer(ServerKind.VSFTPD, 21);
        on2121 = ref.startServer(ServerKind.PURE_FTPD.installed() ? ServerKind.PURE_FTPD : ServerKind.VSFTPD, 2121);
        // the daemon reads a copy, so the test can break it and SIGHUP
        policy = ref.lab().workDir().resolve("policy.yaml");
        Files.copy(ProjectHome.example("reference-lab.yaml"), policy);
        ref.startDaemon(policy);
        // the router's own NAT for everything else, as a real router has it beside ftpnat
        LabFirewall.installRouterNat(ref.lab().router());
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    @Test
    void activeModeOnAPortNoRuleNamesGetsNoHelperAndItsDataConnectionIsDropped() {
        long droppedBefore = LabFirewall.dropped(ref.lab().router());
        Observation o = Observation.of(ref, ref.curl(), FtpJob.download(on2121, SERVER_V4, DataMode.PORT, "one.bin")
                .withTimeout(Duration.ofSeconds(8)), 2121);

        assertThat(o.client().ok()).as("the transfer must fail\n%s", o).isFalse();
        assertThat(o.client().sha256().get("one.bin")).isNotEqualTo(on2121.file("one.bin").sha256());
        // the router's own NAT translated the control connection, but nobody rewrote the PORT:
        // the server got the client's private address
        assertThat(o.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.serverDialogue().command("PORT")).as("%s", o).startsWith("PORT 10,10,10,2,");
        // and either refused it (it names an address other than the control connection's peer:
        // pure-ftpd and vsftpd both refuse, against the FTP bounce attack) or tried to connect
        // there and the router's firewall dropped the connection: no data reached the client
        int afterPort = o.serverDialogue().messages().stream().map(m -> m.text()).toList().indexOf(
                o.serverDialogue().command("PORT"));
        String replyToPort = o.serverDialogue().messages().stream().skip(afterPort + 1)
                .filter(m -> !m.fromClient()).map(m -> m.text()).findFirst().orElse("");
        boolean refused = replyToPort.startsWith("5");
        boolean dropped = LabFirewall.dropped(ref.lab().router()) > droppedBefore
                && o.dataAtServer().stream().anyMatch(d -> d.to().startsWith(CLIENT_V4 + ":"));
        assertThat(refused || dropped).as("refused (%s) or dropped\n%s", replyToPort, o).isTrue();
        // conntrack -L: the control connection exists, without a helper; no expectation
        ConntrackEntry control = o.controlEntries(2121).stream().findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(control.helper()).isNull();
        assertThat(ref.router().expectations()).isEmpty();
    }

    @Test
    void passiveModeOnAPortNoRuleNamesGetsNoHelperAndItsDataConnectionIsDropped() {
        long droppedBefore = LabFirewall.dropped(ref.lab().router());
        Observation o = Observation.of(ref, ref.curl(), FtpJob.download(on2121, SERVER_V4, DataMode.PASV, "two.bin")
                .withTimeout(Duration.ofSeconds(8)), 2121);

        assertThat(o.client().ok()).as("the transfer must fail\n%s", o).isFalse();
        FtpAddress told = FtpAddress.parse(o.client().receivedReply("227"));
        assertThat(told.host()).as("the 227 reached the client as the server wrote it").isEqualTo(SERVER_V4);
        assertThat(o.dataAtServer()).as("the client's data connection never reached the server\n%s", o)
                .noneMatch(d -> d.to().equals(told.toString()));
        assertThat(LabFirewall.dropped(ref.lab().router())).isGreaterThan(droppedBefore);
        assertThat(o.controlEntries(2121)).allMatch(e -> e.helper() == null);
    }

    @Test
    void theSameFlowsOnPort21AreHelped() {
        Observation o = Observation.of(ref, ref.curl(), FtpJob.download(on21, SERVER_V4, DataMode.PORT, "one.bin"), 21);
        assertThat(o.client().ok()).as("%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(on21.file("one.bin").sha256());
        assertThat(o.controlEntries(21).get(0).helper()).isEqualTo("ftp");
    }

    @Test
    void sighupWithABrokenPolicyKeepsTheOldRulesetWorking() throws IOException {
        String tableBefore = ref.router().ftpnatTable();
        assertThat(tableBefore).isNotNull();
        String good = Files.readString(policy);
        try {
            Files.writeString(policy, good.replace("control_ports: [21]", "control_ports: [21, 70000]"));
            // ftpnatd check names the file, the line and the field (run where the interfaces exist)
            Cmd.Result check = ref.lab().router().exec(Duration.ofSeconds(30),
                    ProjectHome.ftpnatd().toString(), "check", "--policy", policy.toString());
            assertThat(check.exit()).as("%s", check).isEqualTo(1);
            assertThat(check.out() + check.err()).contains(policy + ":").contains("control_ports");

            String outcome = ref.daemon().reload();
            assertThat(outcome).contains("policy rejected");
            assertThat(ref.daemon().alive()).isTrue();
            assertThat(ref.router().ftpnatTable()).as("nft list table inet ftpnat after the rejected reload")
                    .isEqualTo(tableBefore);

            Observation o = Observation.of(ref, ref.curl(),
                    FtpJob.download(on21, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"), 21);
            assertThat(o.client().ok()).as("%s", o).isTrue();
            assertThat(o.client().sha256().get("two.bin")).isEqualTo(on21.file("two.bin").sha256());
            assertThat(o.client().receivedReply("227")).contains("(10,10,10,1,");
        } finally {
            Files.writeString(policy, good);
        }
    }

    @Test
    void sighupWithAValidNewPolicyAppliesIt() throws IOException {
        String good = Files.readString(policy);
        try {
            Files.copy(ProjectHome.example("nonstandard-port.yaml"), policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(ref.daemon().reload()).contains("policy applied");
            Observation o = Observation.of(ref, ref.curl(), FtpJob.download(on2121, SERVER_V4, DataMode.PORT, "one.bin"), 2121);
            assertThat(o.client().ok()).as("%s", o).isTrue();
            assertThat(o.client().sha256().get("one.bin")).isEqualTo(on2121.file("one.bin").sha256());
            assertThat(o.serverDialogue().command("PORT")).startsWith("PORT 192,168,10,114,");
        } finally {
            Files.writeString(policy, good);
            assertThat(ref.daemon().reload()).contains("policy applied");
        }
    }
}
