package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V4;
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
import io.ftpnat.lab.Vsftpd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario 1 — active mode (PORT) through SNAT, the seed document's first walkthrough.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router (r1) 192.168.10.114 ── server 192.168.10.115:21
 * </pre>
 *
 * The server is on the public side; the client, private, connects to the server's own address and
 * the router masquerades it as 192.168.10.114 (policy docs/examples/reference-lab.yaml, rule
 * {@code lan}). The client sends {@code PORT 10,10,10,2,N}. The kernel helper, attached by the
 * daemon's rule, rewrites it to {@code PORT 192,168,10,114,M} and expects the server's connection
 * from port 20 to 192.168.10.114:M, which the NAT takes back to 10.10.10.2:N.
 *
 * <p>What each side sees: the client its own address in PORT and the file (sha256); the server
 * the router's address in PORT, and its data connection leaving from port 20 to the router; the
 * router's conntrack the control connection with {@code helper=ftp} and the SNAT in its reply tuple.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActiveModeThroughSnatTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("reference-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void portThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, SERVER_V4, DataMode.PORT, "one.bin"), 21);

        // the client: its own private address in PORT, the file intact
        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        FtpAddress sent = FtpAddress.parse(o.client().sentCommand("PORT"));
        assertThat(sent).as("client's PORT\n%s", o).isNotNull();
        assertThat(sent.host()).isEqualTo(CLIENT_V4);

        // the server: the router's address in PORT, and it connected from port 20 to that address
        String portAtServer = o.serverDialogue().command("PORT");
        assertThat(portAtServer).as("PORT at the server\n%s", o).startsWith("PORT 192,168,10,114,");
        FtpAddress rewritten = FtpAddress.parse(portAtServer);
        assertThat(o.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer()).as("data connection at the server\n%s", o).hasSize(1);
        assertThat(o.dataAtServer().get(0).from()).isEqualTo(SERVER_V4 + ":20");
        assertThat(o.dataAtServer().get(0).to()).isEqualTo(rewritten.toString());
        if (server instanceof Vsftpd v) {
            assertThat(v.commandsWithClient()).anyMatch(c -> c.startsWith(ROUTER_OUTSIDE_V4 + " PORT 192,168,10,114,"));
        }

        // the router (conntrack -L): the helper on the control connection, SNAT in the reply tuple
        ConntrackEntry control = o.controlEntries(21).stream()
                .filter(e -> e.original().src().equals(CLIENT_V4)).findFirst().orElseThrow(() -> new AssertionError(o));
        assertThat(control.helper()).isEqualTo("ftp");
        assertThat(control.original().dst()).isEqualTo(SERVER_V4);
        assertThat(control.reply().dst()).isEqualTo(ROUTER_OUTSIDE_V4);
        ConntrackEntry data = o.dataEntries(21).stream().filter(e -> e.original().sport() == 20).findFirst()
                .orElseThrow(() -> new AssertionError("no data connection in conntrack\n" + o));
        assertThat(data.original().dst()).isEqualTo(ROUTER_OUTSIDE_V4);
        assertThat(data.original().dport()).isEqualTo(rewritten.port());
        assertThat(data.reply().src()).as("the NAT took it back to the client").isEqualTo(CLIENT_V4);
        assertThat(data.reply().sport()).isEqualTo(sent.port());
    }
}
