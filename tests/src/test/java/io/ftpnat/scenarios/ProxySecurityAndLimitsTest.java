package io.ftpnat.scenarios;

import io.ftpnat.ruleset.TableObjects;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpAddress;
import io.ftpnat.lab.FtpDialogue;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Observation;
import io.ftpnat.lab.PacketCapture;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.Vsftpd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The kernel helper's failures (BRIEF cases 1–3, pinned by {@link KernelHelperLimitsTest}) with
 * the ALG instead, and the ALG's own bounds. The lab: vsftpd on 21 with {@code port_promiscuous=YES}
 * (it would obey a bounce), a misconfigured vsftpd on 2121 ({@code pasv_address=198.51.100.9}), a
 * scripted server on 2122 that answers QUIT with {@code 227 Logout.}; every rule mode: proxy,
 * with small limits (3 sessions per client, a 3 s login timeout, an 8 s idle timeout).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxySecurityAndLimitsTest {
    static final String POLICY = """
            version: 1
            control_ports: [21, 2121, 2122]
            proxy:
              max_sessions_per_client: 3
              login_timeout: 3
              idle_timeout: 8
              max_line: 512
            snat:
              - name: lan
                source: 10.10.10.0/24
                out_interface: r1
                mode: proxy
            dnat:
              - name: published
                in_interface: r0
                destination: 10.10.10.1
                port: 21
                to: 192.168.10.115
                mode: proxy
            """;

    /** A server that says 227 where no PASV was asked (pure-ftpd once answered QUIT so). */
    static final String STRAY_227_SERVER = """
            import socket
            l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind(("0.0.0.0", 2122)); l.listen(8)
            while True:
                c, _ = l.accept(); f = c.makefile("rb"); c.sendall(b"220 scripted\\r\\n")
                for line in f:
                    v = line.decode().strip().upper()
                    if v.startswith("USER"): c.sendall(b"331 pass\\r\\n")
                    elif v.startswith("PASS"): c.sendall(b"230 in\\r\\n")
                    elif v.startswith("QUIT"): c.sendall(b"227 Logout.\\r\\n"); break
                    else: c.sendall(b"200 ok\\r\\n")
                c.close()
            """;

    ReferenceLab ref;
    FtpServer promiscuous;
    FtpServer misconfigured;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        ref = ReferenceLab.create();
        promiscuous = ref.lab().own(Vsftpd.start(ref.lab(), 21, ReferenceLab.FILES, Map.of("port_promiscuous", "YES")));
        misconfigured = ref.lab().own(Vsftpd.start(ref.lab(), 2121, ReferenceLab.FILES,
                Map.of("pasv_address", "198.51.100.9", "pasv_addr_resolve", "NO", "listen", "YES", "listen_ipv6", "NO")));
        Path dir = ref.lab().dir("proxy-security");
        Files.writeString(dir.resolve("stray227.py"), STRAY_227_SERVER);
        ref.lab().own(ref.lab().server().start("stray-227", dir.resolve("stray227.log"), PythonFtpClient.python(),
                dir.resolve("stray227.py").toString()));
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        ref.startDaemon(policy);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    /** Case 3 / bounce: refused with 500 and logged; the server, which would obey, never sees the command. */
    @Test
    void bounceAndPrivilegedPortAttemptsAreRefusedWhileTheServerWouldHaveObeyed() {
        Cmd.Result direct = RawClient.run(ref.lab().router(), "bounce", SERVER_V4, 21, promiscuous, "-");
        assertThat(direct.out()).as("the server obeys a third-party PORT when asked directly\n%s", direct)
                .containsPattern("> PORT 10,10,10,99,195,80\\n< 200");

        Cmd.Result r;
        List<FtpDialogue> atServer;
        try (PacketCapture cap = ref.captureAtServer("bounce")) {
            r = RawClient.run(ref.lab().client(), "bounce", SERVER_V4, 21, promiscuous, "-");
            atServer = FtpDialogue.from(cap.stop(), 21);
        }
        assertThat(r.out()).as("%s", r)
                .containsPattern("> PORT 10,10,10,99,195,80\\n< 500 Illegal PORT command.")
                .containsPattern("> EPRT \\|1\\|192.168.10.115\\|21\\|\\n< 500 Illegal EPRT command.")
                .containsPattern("> PORT 10,10,10,2,0,21\\n< 500 Illegal PORT command.")
                .containsPattern("> LPRT 4,4,10,10,10,99,2,195,80\\n< 500 Illegal LPRT command.")
                .containsPattern("> NOOP\\n< 200");
        assertThat(atServer).singleElement().satisfies(d -> assertThat(d.commands())
                .noneMatch(c -> c.startsWith("PORT") || c.startsWith("EPRT") || c.startsWith("LPRT")));
        assertThat(ref.daemon().log()).contains("refused PORT naming 10.10.10.99:50000 from client 10.10.10.2")
                .contains("refused PORT naming privileged port 21");
        assertThat(ref.router().nftRuleset()).doesNotContain("10.10.10.99");
    }

    /** Case 2: a 227 naming a foreign address; the ALG uses the server's own, and the transfer works. */
    @Test
    void aForeignAddressInThe227IsCorrected() {
        Observation o = Observation.of(ref, ref.curl(), FtpJob.download(misconfigured, SERVER_V4, DataMode.PASV, "one.bin")
                .withPort(2121).withTimeout(Duration.ofSeconds(20)), 2121);
        assertThat(o.client().ok()).as("%s\n%s", o, ref.daemon().log()).isTrue();
        assertThat(o.client().sha256().get("one.bin")).isEqualTo(misconfigured.file("one.bin").sha256());
        assertThat(o.serverDialogue().reply("227")).contains("(198,51,100,9,");
        assertThat(FtpAddress.parse(o.client().receivedReply("227")).host()).isEqualTo(SERVER_V4);
        assertThat(ref.daemon().log()).contains("advertised 198.51.100.9 in its 227; using the server's own address");
    }

    /** Case 1: a PORT split across two segments (the kernel helper stalls for good). */
    @Test
    void aSplitPortGetsItsReplyAndTheFile() {
        // against the 2121 vsftpd: the port_promiscuous one on 21 closed the control connection at
        // RETR in active mode in this lab (not investigated further: this test is about the split)
        Cmd.Result r = RawClient.run(ref.lab().client(), "split-port", SERVER_V4, 2121, misconfigured, "two.bin");
        assertThat(r.out()).as("%s\n%s\n%s", r, ref.daemon().log(), ref.router().conntrack()).containsPattern("< 200 PORT command successful")
                .contains("sha256 two.bin " + misconfigured.file("two.bin").sha256());
    }

    /** A 227 that no PASV asked for opens nothing and reaches the client as it came. */
    @Test
    void aStray227IsRelayedAndOpensNothing() {
        String script = """
                import socket
                s = socket.create_connection(("%s", 2122), timeout=10); f = s.makefile("rb")
                print(f.readline().decode().strip())
                for c in ("USER a", "PASS b", "QUIT"):
                    s.sendall((c + "\\r\\n").encode()); print(f.readline().decode().strip(), flush=True)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), PythonFtpClient.python(), "-c", script);
        assertThat(r.out().lines().toList()).as("%s", r).containsExactly("220 scripted", "331 pass", "230 in", "227 Logout.");
        assertThat(ref.daemon().log()).doesNotContain("data channel");
        assertThat(mapElements()).isEmpty();
    }

    @Test
    void aClientGetsAtMostItsShareOfSessions() {
        String script = """
                import socket, time
                socks = []
                for i in range(4):
                    s = socket.create_connection(("%s", 21), timeout=10); socks.append(s)
                    print(i, s.makefile("rb").readline().decode().strip(), flush=True)
                    time.sleep(0.2)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), PythonFtpClient.python(), "-c", script);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as("%s", r).hasSize(4);
        assertThat(lines.subList(0, 3)).allSatisfy(l -> assertThat(l).contains("220"));
        assertThat(lines.get(3)).isEqualTo("3 421 Too many connections.");
    }

    @Test
    void aClientThatNeverLogsInIsDisconnectedAfterTheLoginTimeout() {
        String script = """
                import socket, time
                s = socket.create_connection(("%s", 21), timeout=20); f = s.makefile("rb")
                t = time.time(); print(f.readline().decode().strip())
                while f.readline(): pass
                print("closed after %%.1f s" %% (time.time() - t), flush=True)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(40), PythonFtpClient.python(), "-c", script);
        var m = Pattern.compile("closed after ([0-9.]+) s").matcher(r.out());
        assertThat(m.find()).as("%s", r).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as("login_timeout 3 s, checked every second").isBetween(2.0, 10.0);
        assertThat(ref.daemon().log()).contains("ended: login timeout");
    }

    @Test
    void aLoggedInClientThatFallsSilentIsDisconnectedAfterTheIdleTimeout() {
        String script = """
                import socket, time
                s = socket.create_connection(("%s", 21), timeout=30); f = s.makefile("rb")
                print(f.readline().decode().strip())
                for c in ("USER anonymous", "PASS lab@"):
                    s.sendall((c + "\\r\\n").encode()); print(f.readline().decode().strip(), flush=True)
                t = time.time()
                while f.readline(): pass
                print("closed after %%.1f s" %% (time.time() - t), flush=True)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(60), PythonFtpClient.python(), "-c", script);
        var m = Pattern.compile("closed after ([0-9.]+) s").matcher(r.out());
        assertThat(m.find()).as("%s", r).isTrue();
        assertThat(r.out()).contains("230");
        assertThat(Double.parseDouble(m.group(1))).as("idle_timeout 8 s, checked every second").isBetween(6.0, 20.0);
        assertThat(ref.daemon().log()).contains("ended: idle timeout");
    }

    @Test
    void anOverlongCommandIsAnsweredAndTheSessionGoesOn() {
        String script = """
                import socket
                s = socket.create_connection(("%s", 21), timeout=10); f = s.makefile("rb")
                print(f.readline().decode().strip())
                s.sendall(b"NOOP " + b"A" * 5000 + b"\\r\\nNOOP\\r\\n")
                print(f.readline().decode().strip()); print(f.readline().decode().strip(), flush=True)
                """.formatted(SERVER_V4);
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), PythonFtpClient.python(), "-c", script);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as("%s", r).hasSize(3);
        assertThat(lines.get(1)).isEqualTo("500 Command line too long.");
        assertThat(lines.get(2)).as("the server's answer to the next command").matches("(200|530) .*");
    }

    /** ftpnatctl proxy sessions while a session holds a passive channel; the kernel element; both gone after. */
    @Test
    void theApiShowsTheSessionAndItsKernelChannelUntilTheSessionEnds() throws Exception {
        Path log = ref.lab().dir("proxy-security").resolve("hold.log");
        BackgroundProcess hold = ref.lab().own(ref.lab().client().start("hold-pasv", log, PythonFtpClient.python(),
                RawClient.script().toString(), "hold-pasv", ROUTER_INSIDE_V4, "21", promiscuous.user(), promiscuous.password(), "4"));
        String pasv = hold.awaitLine(Pattern.compile("^< 227 "), Duration.ofSeconds(20));
        FtpAddress offered = FtpAddress.parse(pasv);

        Cmd.Result ctl = ctl("-o", "json", "proxy", "sessions");
        assertThat(ctl.ok()).as("%s", ctl).isTrue();
        // pretty-printed JSON ("key" : value); the tests module reads it as text
        String json = ctl.out().replaceAll("\\s+", " ");
        assertThat(json).as("%s", ctl.out())
                .contains("\"rule\" : \"published\"")
                .containsPattern("\"client\" : \"10\\.10\\.10\\.2:\\d+\"")
                .contains("\"server\" : \"192.168.10.115:21\"")
                .contains("\"logged_in\" : true")
                .contains("\"kind\" : \"passive\"")
                .contains("\"path\" : \"kernel\"")
                .contains("\"match\" : \"10.10.10.2 -> 10.10.10.1:" + offered.port() + "\"")
                .contains("\"from\" : \"192.168.10.114\"");
        assertThat(mapElements()).singleElement().satisfies(e -> assertThat(e).contains("10.10.10.2 . 10.10.10.1 . " + offered.port()));

        // a reload replaces the table, maps included: the daemon puts the live channel back
        ref.daemon().reload();
        assertThat(mapElements()).as("after SIGHUP").singleElement()
                .satisfies(e -> assertThat(e).contains("10.10.10.2 . 10.10.10.1 . " + offered.port()));

        Cmd.Result table = ctl("-o", "table", "proxy", "sessions");
        assertThat(table.out()).contains("published").contains("passive 10.10.10.2 -> 10.10.10.1:" + offered.port());

        // 'sessions' lists the proxied session too, after the kernel's (none here: no helper anywhere)
        Cmd.Result all = ctl("-o", "json", "sessions");
        assertThat(all.out()).as("%s", all).contains("\"mode\":\"proxy\"").contains("\"server\":\"192.168.10.115:21\"")
                .contains("\"match\":\"10.10.10.2 -> 10.10.10.1:" + offered.port() + "\"");
        Cmd.Result allTable = ctl("-o", "table", "sessions");
        assertThat(allTable.out()).as("%s", allTable).contains("(proxied by ftpnatd, rule published)")
                .contains("10.10.10.2 -> 10.10.10.1:" + offered.port() + " -> 192.168.10.115:");

        hold.awaitExit(Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !mapElements().isEmpty()) Thread.sleep(100);
        assertThat(mapElements()).as("the element goes with its session").isEmpty();
    }

    private Cmd.Result ctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", ref.daemon().socket().toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    /** The elements of proxy_dnat4 ("a . b . port timeout ... : c . port"). */
    private List<String> mapElements() {
        String out = ref.lab().router().run("nft", "list", "map", "inet", "ftpnat", TableObjects.PROXY_DNAT4);
        int i = out.indexOf("elements = {");
        if (i < 0) return List.of();
        String inner = out.substring(i + 12, out.indexOf('}', i));
        return List.of(inner.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
