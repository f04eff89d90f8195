package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V6;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V6;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static io.ftpnat.lab.Topology.SERVER_V6;
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
 * Scenario 3 — the extended commands of RFC 2428, which IPv6 requires (seed document, section 5).
 *
 * <ul>
 *   <li>EPSV over IPv4 through SNAT and through DNAT: the reply {@code 229 (|||P|)} carries only a
 *       port, so nothing is rewritten, but the lab firewall forwards the client's data connection
 *       only because the helper read the 229 and expected it (RELATED).</li>
 *   <li>EPRT over IPv6 through masquerade (rule {@code lan6}): the client sends
 *       {@code EPRT |2|fd00:10::2|N|}, the server receives {@code EPRT |2|fd00:192::114|M|} and
 *       connects from port 20 to the router, which takes the connection back to the client.</li>
 *   <li>EPSV over IPv6 through masquerade: the client connects to the server's port from the 229.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtendedModesTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("reference-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void epsvOverIpv4ThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, SERVER_V4, DataMode.EPSV, "one.bin"), 21);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        assertThat(o.client().sentCommand("EPSV")).as("%s", o).isNotNull();
        FtpAddress atClient = FtpAddress.parse(o.client().receivedReply("229"));
        FtpAddress atServer = FtpAddress.parse(o.serverDialogue().reply("229"));
        assertThat(atClient.port()).isEqualTo(atServer.port());
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).from()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer().get(0).to()).isEqualTo(SERVER_V4 + ":" + atServer.port());
        assertThat(helperOnControl(o, SERVER_V4)).isEqualTo("ftp");
    }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void epsvOverIpv4ThroughDnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.EPSV, "two.bin"), 21);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        FtpAddress atClient = FtpAddress.parse(o.client().receivedReply("229"));
        FtpAddress atServer = FtpAddress.parse(o.serverDialogue().reply("229"));
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).to()).isEqualTo(SERVER_V4 + ":" + atServer.port());
        ConntrackEntry data = o.dataEntries(21).stream().filter(e -> e.original().dport() == atClient.port())
                .findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(data.original().dst()).isEqualTo(ROUTER_INSIDE_V4);
        assertThat(data.reply().src()).as("DNAT of the data connection").isEqualTo(SERVER_V4);
        assertThat(helperOnControl(o, ROUTER_INSIDE_V4)).isEqualTo("ftp");
    }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void eprtOverIpv6ThroughMasquerade(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, SERVER_V6, DataMode.EPRT, "one.bin"), 21);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        FtpAddress sent = FtpAddress.parse(o.client().sentCommand("EPRT"));
        assertThat(sent).as("%s", o).isNotNull();
        assertThat(sent.host()).isEqualTo(CLIENT_V6);
        String eprtAtServer = o.serverDialogue().command("EPRT");
        assertThat(eprtAtServer).as("EPRT at the server\n%s", o).startsWith("EPRT |2|");
        FtpAddress rewritten = FtpAddress.parse(eprtAtServer);
        assertThat(rewritten.host()).as("the router's outside address in EPRT at the server").isEqualTo(ROUTER_OUTSIDE_V6);
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).from()).isEqualTo("[" + SERVER_V6 + "]:20");
        assertThat(o.dataAtServer().get(0).to()).isEqualTo(rewritten.toString());
        ConntrackEntry control = control(o, SERVER_V6);
        assertThat(control.helper()).isEqualTo("ftp");
        assertThat(control.reply().dst()).as("masquerade").isEqualTo(ROUTER_OUTSIDE_V6);
        ConntrackEntry data = o.dataEntries(21).stream().filter(e -> e.original().sport() == 20).findFirst()
                .orElseThrow(() -> new AssertionError(o));
        assertThat(data.reply().src()).isEqualTo(CLIENT_V6);
        assertThat(data.reply().sport()).isEqualTo(sent.port());
    }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void epsvOverIpv6ThroughMasquerade(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, SERVER_V6, DataMode.EPSV, "two.bin"), 21);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        FtpAddress atServer = FtpAddress.parse(o.serverDialogue().reply("229"));
        assertThat(FtpAddress.parse(o.client().receivedReply("229")).port()).isEqualTo(atServer.port());
        assertThat(o.serverDialogue().client()).startsWith("[" + ROUTER_OUTSIDE_V6 + "]:");
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).from()).startsWith("[" + ROUTER_OUTSIDE_V6 + "]:");
        assertThat(o.dataAtServer().get(0).to()).isEqualTo("[" + SERVER_V6 + "]:" + atServer.port());
        assertThat(control(o, SERVER_V6).helper()).isEqualTo("ftp");
    }

    private static ConntrackEntry control(Observation o, String dst) {
        return o.controlEntries(21).stream().filter(e -> e.original().dst().equals(dst)).findFirst()
                .orElseThrow(() -> new AssertionError("no control connection to " + dst + " in conntrack\n" + o));
    }

    private static String helperOnControl(Observation o, String dst) { return control(o, dst).helper(); }
}
