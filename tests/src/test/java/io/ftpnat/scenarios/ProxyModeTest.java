package io.ftpnat.scenarios;

import io.ftpnat.ruleset.TableObjects;
import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.CLIENT_V6;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
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
 * The seed document's transfers with the userspace ALG (docs/examples/proxy-lab.yaml, every rule
 * {@code mode: proxy}) instead of the kernel helper.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router: ftpnatd's ALG on :8021 (r1)── server 192.168.10.115:21
 * </pre>
 *
 * The router diverts the control connection to the daemon, which talks to the server itself from
 * 192.168.10.114 and rewrites the dialogue both ways; each data connection goes through the kernel
 * (one nft map element, DNAT + SNAT), never through the daemon. What each side sees: the client
 * the address it connected to, and a port of the router's data range; the server the router's
 * outside address, in PORT and as the source of every connection; conntrack no helper at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyModeTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("proxy-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    /** PASV through the DNAT rule: the client knows the server as 10.10.10.1. */
    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void pasvThroughDnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.PASV, "two.bin"));

        FtpAddress atClient = FtpAddress.parse(o.client().receivedReply("227"));
        assertThat(atClient.host()).as("the published address").isEqualTo(ROUTER_INSIDE_V4);
        assertThat(atClient.port()).as("a port of the proxy's data range").isBetween(50000, 59999);
        FtpAddress atServer = FtpAddress.parse(o.serverDialogue().reply("227"));
        assertThat(atServer.host()).isEqualTo(SERVER_V4);
        assertThat(o.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer()).as("%s", o).singleElement().satisfies(d -> {
            assertThat(d.from()).startsWith(ROUTER_OUTSIDE_V4 + ":");
            assertThat(d.to()).isEqualTo(atServer.toString());
        });
        noHelperAnywhere(o);
        ConntrackEntry data = dataEntry(o, atClient.port());
        assertThat(data.original().src()).isEqualTo(CLIENT_V4);
        assertThat(data.reply().src()).as("DNAT to the server's port").isEqualTo(SERVER_V4);
        assertThat(data.reply().sport()).isEqualTo(atServer.port());
        assertThat(data.reply().dst()).as("SNAT to the router").isEqualTo(ROUTER_OUTSIDE_V4);
    }

    /** PORT through the SNAT rule: the client connects to the server's own address. */
    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void portThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, SERVER_V4, DataMode.PORT, "one.bin"));
        assertThat(o.client().sentCommand("PORT")).startsWith("PORT 10,10,10,2,");
        String port = o.serverDialogue().command("PORT");
        assertThat(port).as("%s", o).startsWith("PORT 192,168,10,114,");
        FtpAddress listens = FtpAddress.parse(port);
        assertThat(listens.port()).isBetween(50000, 59999);
        assertThat(o.serverDialogue().client()).startsWith(ROUTER_OUTSIDE_V4 + ":");
        assertThat(o.dataAtServer()).as("%s", o).singleElement().satisfies(d -> assertThat(d.to()).isEqualTo(listens.toString()));
        noHelperAnywhere(o);
        ConntrackEntry data = dataEntry(o, listens.port());
        assertThat(data.original().src()).isEqualTo(SERVER_V4);
        assertThat(data.reply().src()).as("DNAT to the client").isEqualTo(CLIENT_V4);
    }

    /** EPSV from the client through the DNAT rule: the server is asked PASV, the client gets a 229. */
    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void epsvThroughDnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, ROUTER_INSIDE_V4, DataMode.EPSV, "one.bin"));
        assertThat(FtpAddress.parse(o.client().receivedReply("229")).port()).isBetween(50000, 59999);
        assertThat(o.serverDialogue().command("PASV")).as("%s", o).isEqualTo("PASV");
        noHelperAnywhere(o);
    }

    /** EPRT over IPv6 through the SNAT rule lan6. */
    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void eprtOverIpv6ThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, SERVER_V6, DataMode.EPRT, "one.bin"));
        assertThat(o.client().sentCommand("EPRT")).contains("|2|" + CLIENT_V6 + "|");
        assertThat(o.serverDialogue().command("EPRT")).as("%s", o).startsWith("EPRT |2|fd00:192::114|");
        assertThat(o.dataAtServer()).as("%s", o).hasSize(1);
    }

    /** EPSV over IPv6 through the SNAT rule lan6. */
    @ParameterizedTest(name = "{0}, client {1}")
    @MethodSource("io.ftpnat.scenarios.Matrix#serversAndClients")
    void epsvOverIpv6ThroughSnat(ServerKind kind, String clientName) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, SERVER_V6, DataMode.EPSV, "two.bin"));
        assertThat(o.serverDialogue().command("EPSV")).as("%s", o).isEqualTo("EPSV");
        assertThat(o.dataAtServer()).as("%s", o).singleElement()
                .satisfies(d -> assertThat(d.from()).startsWith("[fd00:192::114]:"));
    }

    /** Two files and a listing in one session: three channels, one after the other, each withdrawn after its transfer. */
    @ParameterizedTest(name = "{0}, client {1}, {2}")
    @MethodSource("threeTransferCases")
    void twoFilesAndAListingInOneSession(ServerKind kind, String clientName, DataMode mode) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        String host = mode.active() ? SERVER_V4 : ROUTER_INSIDE_V4;
        Observation o = transferred(ref, clientName, FtpJob.download(server, host, mode, "one.bin", "two.bin").withList());
        assertThat(o.client().listing()).contains("one.bin").contains("two.bin");
        assertThat(o.dataAtServer()).as("%s", o).hasSize(3);
        assertThat(ref.lab().router().run("nft", "list", "map", "inet", "ftpnat", TableObjects.PROXY_DNAT4))
                .as("every channel withdrawn with its transfer or session").doesNotContain("elements");
    }

    static java.util.List<org.junit.jupiter.params.provider.Arguments> threeTransferCases() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        for (ServerKind k : ServerKind.values()) {
            for (String c : Matrix.CLIENTS) {
                for (DataMode m : new DataMode[] {DataMode.PORT, DataMode.PASV}) out.add(org.junit.jupiter.params.provider.Arguments.of(k, c, m));
            }
        }
        return out;
    }

    /**
     * Mixed families (rule published6): an IPv6 client reaches the IPv4 server through
     * [fd00:10::1]:21. The client speaks EPSV/EPRT, the server is asked PASV/PORT; the kernel
     * cannot translate between families, so the data connection alone is relayed by the daemon.
     */
    @ParameterizedTest(name = "{0}, client {1}, {2}")
    @MethodSource("mixedFamilyCases")
    void ipv6ClientToIpv4Server(ServerKind kind, String clientName, DataMode mode) {
        ReferenceLab ref = labs.get(kind);
        FtpServer server = ref.server();
        Observation o = transferred(ref, clientName, FtpJob.download(server, "fd00:10::1", mode, "one.bin"));
        assertThat(o.serverDialogue().client()).as("%s", o).startsWith(ROUTER_OUTSIDE_V4 + ":");
        if (mode == DataMode.EPSV) {
            assertThat(o.serverDialogue().command("PASV")).as("%s", o).isEqualTo("PASV");
        } else {
            assertThat(o.client().sentCommand("EPRT")).contains("|2|" + CLIENT_V6 + "|");
            assertThat(o.serverDialogue().command("PORT")).as("%s", o).startsWith("PORT 192,168,10,114,");
        }
        assertThat(o.dataAtServer()).as("%s", o).singleElement()
                .satisfies(d -> assertThat(d.from()).startsWith(mode == DataMode.EPSV ? ROUTER_OUTSIDE_V4 + ":" : SERVER_V4 + ":"));
    }

    static java.util.List<org.junit.jupiter.params.provider.Arguments> mixedFamilyCases() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        for (ServerKind k : ServerKind.values()) {
            for (String c : Matrix.CLIENTS) {
                for (DataMode m : new DataMode[] {DataMode.EPSV, DataMode.EPRT}) out.add(org.junit.jupiter.params.provider.Arguments.of(k, c, m));
            }
        }
        return out;
    }

    private static void noHelperAnywhere(Observation o) {
        assertThat(o.conntrack()).as("no kernel helper on any connection\n%s", o).noneMatch(e -> e.helper() != null);
    }

    /** Runs the job through the ALG (control port 21): the client must succeed and every file arrive intact. */
    private static Observation transferred(ReferenceLab ref, String clientName, FtpJob job) {
        Observation o = Observation.of(ref, Matrix.client(ref, clientName), job, 21);
        assertThat(o.client().ok()).as("client run\n%s\n%s", o, ref.daemon().log()).isTrue();
        for (String file : job.files()) {
            assertThat(o.client().sha256().get(file)).as(file).isEqualTo(ref.server().file(file).sha256());
        }
        return o;
    }

    /** The data connection (as conntrack holds it) whose original destination port is {@code dport}. */
    private static ConntrackEntry dataEntry(Observation o, int dport) {
        return o.dataEntries(21).stream().filter(e -> e.original().dport() == dport).findFirst()
                .orElseThrow(() -> new AssertionError("no data connection in conntrack\n" + o));
    }
}
