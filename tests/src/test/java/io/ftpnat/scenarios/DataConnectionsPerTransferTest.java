package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario 4 — the seed document's questions 4.5 and 4.6: downloading two files in one session
 * opens two data connections, and a directory listing (LIST) travels on a data connection too.
 * One control connection, three data connections, each one expected by the helper and forwarded
 * by the lab firewall only as RELATED — in active mode through SNAT and passive mode through DNAT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataConnectionsPerTransferTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("reference-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ServerKind k : ServerKind.values()) {
            for (String c : Matrix.CLIENTS) {
                out.add(Arguments.of(k, c, DataMode.PORT));
                out.add(Arguments.of(k, c, DataMode.PASV));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, client {1}, {2}")
    @MethodSource("cases")
    void twoFilesAndAListingOpenThreeDataConnections(ServerKind kind, String clientName, DataMode mode) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        String host = mode.active() ? SERVER_V4 : ROUTER_INSIDE_V4;
        Observation o = Observation.of(ref, Matrix.client(ref, clientName),
                FtpJob.download(server, host, mode, "one.bin", "two.bin").withList(), 21);

        assertThat(o.client().ok()).as("client run\n%s", o).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(server.file("one.bin").sha256());
        assertThat(o.client().sha256().get("two.bin")).isEqualTo(server.file("two.bin").sha256());
        assertThat(o.client().listing()).contains("one.bin").contains("two.bin");

        // one control connection; the client asked for a data connection three times
        String verb = mode.name();
        assertThat(o.client().sent().stream().filter(c -> c.startsWith(verb)).count()).as("%s", o).isEqualTo(3);
        List<String> atServer = o.serverDialogue().commands();
        assertThat(atServer.stream().filter(c -> c.startsWith("RETR ")).toList()).containsExactly("RETR one.bin", "RETR two.bin");
        assertThat(atServer).as("a listing command").anyMatch(c -> c.startsWith("LIST") || c.startsWith("NLST") || c.startsWith("MLSD"));

        // three data connections crossed the server's wire, each through the router's NAT
        assertThat(o.dataAtServer()).as("data connections at the server\n%s", o).hasSize(3);
        for (var d : o.dataAtServer()) {
            if (mode.active()) {
                assertThat(d.from()).isEqualTo(SERVER_V4 + ":20");
                assertThat(d.to()).startsWith(ROUTER_OUTSIDE_V4 + ":");
            } else {
                assertThat(d.from()).startsWith(ROUTER_OUTSIDE_V4 + ":");
                assertThat(d.to()).startsWith(SERVER_V4 + ":");
            }
        }
        assertThat(o.dataEntries(21)).as("data connections in conntrack\n%s", o).hasSize(3);
    }
}
