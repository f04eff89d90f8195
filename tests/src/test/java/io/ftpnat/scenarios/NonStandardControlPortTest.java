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
 * Scenario 5 — a control port other than 21, named by the policy (docs/examples/nonstandard-port.yaml:
 * {@code control_ports: [21, 2121]}, and the server's 2121 published on the router's 2121).
 * Since kernel 4.7 no helper is attached by port number; only the daemon's rules attach it, so
 * FTP on 2121 works exactly as far as the policy says: active through SNAT (the server sees the
 * router's address in PORT) and passive through DNAT (the client sees the router's in the 227).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NonStandardControlPortTest {
    static final int PORT = 2121;
    final LabPerServer labs = new LabPerServer(ProjectHome.example("nonstandard-port.yaml"), PORT);

    @AfterAll
    void down() { labs.close(); }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void activeOn2121ThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, SERVER_V4, DataMode.PORT, "one.bin"), PORT);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        assertThat(FtpAddress.parse(o.client().sentCommand("PORT")).host()).isEqualTo(CLIENT_V4);
        assertThat(o.serverDialogue().command("PORT")).as("%s", o).startsWith("PORT 192,168,10,114,");
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).to()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer().get(0).from()).as("active data from port 20").isEqualTo(SERVER_V4 + ":20");
        ConntrackEntry control = o.controlEntries(PORT).stream().findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(control.helper()).isEqualTo("ftp");
    }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void passiveOn2121ThroughDnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"), PORT);
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        assertThat(o.client().receivedReply("227")).as("%s", o).contains("(10,10,10,1,");
        assertThat(o.serverDialogue().reply("227")).as("%s", o).contains("(192,168,10,115,");
        ConntrackEntry control = o.controlEntries(PORT).stream().findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(control.original().dst()).isEqualTo(ROUTER_INSIDE_V4);
        assertThat(control.reply().src()).isEqualTo(SERVER_V4);
        assertThat(control.reply().sport()).isEqualTo(PORT);
        assertThat(control.helper()).isEqualTo("ftp");
    }
}
