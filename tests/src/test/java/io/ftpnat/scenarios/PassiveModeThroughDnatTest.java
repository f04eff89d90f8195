package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.ConntrackEntry;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpAddress;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario 2 — passive mode (PASV) through DNAT, the seed document's second walkthrough.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1:21 ══DNAT══ (r1) ── server 192.168.10.115:21
 * </pre>
 *
 * The server is private; the router publishes it as 10.10.10.1:21 (reference-lab.yaml, rule
 * {@code published}). The server answers PASV with its own address, {@code 227 (192,168,10,115,P)};
 * the helper rewrites the reply to the address the client knows, {@code 227 (10,10,10,1,P')}, and
 * expects the client's connection to 10.10.10.1:P', which the NAT sends on to 192.168.10.115:P.
 *
 * <p>The client sees 10,10,10,1 in the 227; the server sees its own address in its 227 and the
 * data connection arriving (from the router's outside address, the rule {@code lan} masquerades);
 * conntrack shows the helper and the DNAT in the control connection's reply tuple.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PassiveModeThroughDnatTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("reference-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void pasvThroughDnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"), 21);

        // the client: the router's inside address in the 227, the file intact
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        assertThat(o.client().sentCommand("PASV")).as("%s", o).isEqualTo("PASV");
        String atClient = o.client().receivedReply("227");
        assertThat(atClient).as("227 at the client\n%s", o).contains("(10,10,10,1,");
        FtpAddress clientTarget = FtpAddress.parse(atClient);

        // the server: its own address in its 227, the control and data connections from the router
        String atServer = o.serverDialogue().reply("227");
        assertThat(atServer).as("227 at the server\n%s", o).contains("(192,168,10,115,");
        FtpAddress serverListens = FtpAddress.parse(atServer);
        assertThat(o.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer()).as("data connection at the server\n%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).from()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer().get(0).to()).isEqualTo(serverListens.toString());

        // the router: helper and DNAT on the control connection; the data connection DNATed to P
        ConntrackEntry control = o.controlEntries(21).stream()
                .filter(e -> e.original().src().equals(CLIENT_V4)).findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(control.helper()).isEqualTo("ftp");
        assertThat(control.original().dst()).isEqualTo(ROUTER_INSIDE_V4);
        assertThat(control.reply().src()).as("DNAT").isEqualTo(SERVER_V4);
        ConntrackEntry data = o.dataEntries(21).stream()
                .filter(e -> e.original().dport() == clientTarget.port()).findFirst()
                .orElseThrow(() -> new AssertionError("no data connection in conntrack\n" + o));
        assertThat(data.original().src()).isEqualTo(CLIENT_V4);
        assertThat(data.original().dst()).isEqualTo(ROUTER_INSIDE_V4);
        assertThat(data.reply().src()).isEqualTo(SERVER_V4);
        assertThat(data.reply().sport()).isEqualTo(serverListens.port());
    }
}
