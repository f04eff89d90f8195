package io.ftpnat.security;

import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V6;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static io.ftpnat.lab.Topology.SERVER_V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.Vsftpd;
import io.ftpnat.security.AttackScripts.ProcessSize;
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
 * The ALG attacked from both sides, with the real daemon and the real kernel (issue #11, items 3,
 * 4, 8). The lab: vsftpd on 21 with {@code port_promiscuous=YES} (it obeys a bounce, and logs every
 * command it receives), a server on 2122 that accepts and never answers, a malicious server on
 * 2123 published at 10.10.10.1:2123; every rule {@code mode: proxy}, 4 sessions per client.
 * Each test uses its own client address, so the sessions one leaves behind never count against
 * the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlgSmugglingTest {
    static final String POLICY = """
            version: 1
            control_ports: [21, 2122, 2123]
            proxy:
              max_sessions_per_client: 4
              login_timeout: 20
              idle_timeout: 30
              max_line: 512
            snat:
              - name: lan
                source: 10.10.10.0/24
                out_interface: r1
                mode: proxy
              - name: lan6
                source: fd00:10::/64
                out_interface: r1
                mode: proxy
            dnat:
              - name: published
                in_interface: r0
                destination: 10.10.10.1
                port: 21
                to: 192.168.10.115
                mode: proxy
              - name: evil
                in_interface: r0
                destination: 10.10.10.1
                port: 2123
                to: 192.168.10.115:2123
                mode: proxy
            """;
    /** Extra client addresses: one per test that must not share the default one's budget. */
    static final String FLOODER = "10.10.10.3";
    static final String CONNECTOR = "10.10.10.4";
    static final String RELOADER = "10.10.10.5";
    static final List<String> CONNECTOR6 = List.of("fd00:10::100", "fd00:10::101", "fd00:10::102", "fd00:10::103", "fd00:10::104",
            "fd00:10::105");

    ReferenceLab ref;
    Vsftpd vsftpd;
    Path dir;

    @BeforeAll
    void up() throws Exception {
        assumeTrue(Cmd.run("id", "-u").out().strip().equals("0"), "the namespace lab needs root: skipped");
        assumeTrue(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")), "the daemon is not built: skipped");
        ref = ReferenceLab.create(21, 2122, 2123);
        vsftpd = ref.lab().own(Vsftpd.start(ref.lab(), 21, ReferenceLab.FILES, Map.of("port_promiscuous", "YES")));
        dir = ref.lab().dir("alg-smuggling");
        ref.lab().own(AttackScripts.server(ref.lab().server(), dir.resolve("silent.log"), "alg_silent_server.py", 2122));
        ref.lab().own(AttackScripts.server(ref.lab().server(), dir.resolve("evil.log"), "alg_evil_server.py", 2123));
        ref.lab().client().run("ip", "addr", "add", FLOODER + "/24", "dev", "c0");
        ref.lab().client().run("ip", "addr", "add", CONNECTOR + "/24", "dev", "c0");
        ref.lab().client().run("ip", "addr", "add", RELOADER + "/24", "dev", "c0");
        for (String a : CONNECTOR6) {
            ref.lab().client().run("ip", "addr", "add", a + "/64", "dev", "c0", "nodad");
        }
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        ref.startDaemon(policy);
    }

    @AfterAll
    void down() {
        if (ref != null) ref.close();
    }

    /**
     * Item 3: a PORT to a third party behind an LF the ALG might not take for a line end, in every
     * form an attacker tries next. Directly, vsftpd splits at that LF and obeys the PORT; through
     * the ALG every such line is answered 500, the server never receives a PORT, and the kernel
     * holds no channel to the third party.
     */
    @Test
    void aSmuggledPortNeverReachesTheServerInAnyVariant() {
        Cmd.Result direct = AttackScripts.attack(ref.lab().router(), Duration.ofSeconds(60), "smuggle", SERVER_V4, 21, "direct");
        assertThat(direct.out()).as("vsftpd splits at the LF in IAC WILL LF and obeys the PORT behind it\n%s", direct)
                .containsPattern("variant iac-will-lf \\d{3} 200");
        int seenBefore = vsftpd.commandsLogged().size();

        Cmd.Result r = AttackScripts.attack(ref.lab().client(), Duration.ofSeconds(90), "smuggle", SERVER_V4, 21);
        List<String> variants = r.out().lines().filter(l -> l.startsWith("variant ")).toList();
        System.out.printf("smuggling, directly to vsftpd:%n%s%nthrough the ALG:%n%s%n", direct.out(), String.join("\n", variants));
        assertThat(variants).as("%s", r).hasSize(13).allSatisfy(v ->
                assertThat(v).as("every line of every variant answered 500, in its place\n%s", r.out()).matches("variant \\S+( 500)+"));
        assertThat(r.out()).as("replies stay paired: the next command gets its own answer").contains("after 215 ").contains("quit 221");

        List<String> atServer = vsftpd.commandsLogged().subList(seenBefore, vsftpd.commandsLogged().size());
        assertThat(atServer).as("what vsftpd received through the ALG").containsExactly("USER anonymous", "PASS <password>", "SYST",
                "QUIT").noneMatch(c -> c.contains("PORT"));
        assertThat(ref.router().nftRuleset()).doesNotContain("10.10.10.99");
        assertThat(ref.daemon().log()).contains("sent Telnet option negotiation; refused")
                .contains("refused PORT naming 10.10.10.99:50000");
    }

    /**
     * Item 3, the other direction: a server hides a 227/229 naming its internal address inside a
     * Telnet sequence, behind an LF in an option, in a multi-line reply, behind a NUL. The client
     * never receives a passive reply naming it; the one PASV it sends gets the ALG's own 227.
     */
    @Test
    void aMaliciousServerCannotGetItsAddressToTheClient() {
        Cmd.Result r = AttackScripts.attack(ref.lab().client(), Duration.ofSeconds(60), "evil", ROUTER_INSIDE_V4, 2123);
        List<String> received = r.out().lines().filter(l -> l.startsWith("< ")).map(l -> l.substring(2)).toList();
        System.out.printf("a malicious server, through the ALG:%n%s%n", r.out());
        assertThat(received).as("%s", r).contains("220 evil", "230 in", "221 bye");
        assertThat(received).as("no passive reply names the server or its port\n%s", r.out())
                .filteredOn(l -> l.matches("22[789][ -].*"))
                .allSatisfy(l -> assertThat(l).doesNotContain("192,168,10,115").doesNotContain("156,64").doesNotContain("|||40000|"));
        List<String> pasv = received.stream().filter(l -> l.startsWith("227 Entering Passive Mode (10,10,10,1,")).toList();
        assertThat(pasv).as("the PASV is answered once, by the ALG\n%s", r.out()).hasSize(1);
        assertThat(received).as("the hidden ones are withheld or padded\n%s", r.out())
                .contains("227 Reply withheld by the proxy: no passive request was waiting.")
                .anyMatch(l -> l.startsWith(" 227 Entering Passive Mode"));
        assertThat(r.out()).doesNotContain("<255>").doesNotContain("<0>");
    }

    /**
     * Item 4: three connections pipeline NOOPs as fast as TCP takes them at a server that never
     * answers. The ALG stops reading each once 64 commands wait (TCP pushes back on the client);
     * the daemon's memory and threads stay bounded, and another client is served meanwhile.
     */
    @Test
    void aPipelinedFloodAtASilentServerIsBoundedAndOthersAreServed() throws Exception {
        ProcessSize before = ProcessSize.of(ref.daemon().pid());
        BackgroundProcess flood = ref.lab().own(AttackScripts.attackInBackground(ref.lab().client(), dir.resolve("flood.log"), "flood",
                SERVER_V4, 2122, FLOODER, "3", "8"));
        Thread.sleep(3000);
        ClientRun other = ref.run(ref.curl(), FtpJob.download(vsftpd, ROUTER_INSIDE_V4, DataMode.PASV, "one.bin")
                .withTimeout(Duration.ofSeconds(20)));
        List<ProcessSize> during = new ArrayList<>();
        for (int i = 0; i < 8 && flood.alive(); i++) {
            during.add(ProcessSize.of(ref.daemon().pid()));
            Thread.sleep(500);
        }
        String done = flood.awaitLine(Pattern.compile("^sent "), Duration.ofSeconds(30));
        ProcessSize after = ProcessSize.of(ref.daemon().pid());
        long[] sent = Pattern.compile(" ").splitAsStream(done.substring(5).strip()).mapToLong(Long::parseLong).toArray();
        long maxRss = during.stream().mapToLong(ProcessSize::rssKib).max().orElse(after.rssKib());
        int maxThreads = during.stream().mapToInt(ProcessSize::threads).max().orElse(after.threads());
        System.out.printf("flood at a silent server: before %s; during max %d MiB, %d threads; after %s; bytes taken per connection %s%n",
                before, maxRss / 1024, maxThreads, after, java.util.Arrays.toString(sent));

        assertThat(other.ok()).as("another client is served during the flood\n%s\n%s", other, ref.daemon().log()).isTrue();
        assertThat(other.sha256().get("one.bin")).isEqualTo(vsftpd.file("one.bin").sha256());
        assertThat(ref.daemon().log()).contains("commands await the server's replies; not reading client " + FLOODER);
        assertThat(java.util.Arrays.stream(sent).max().orElse(0)).as("TCP pushed back: the ALG took no more than the sockets' buffers hold")
                .isLessThan(32L << 20);
        assertThat(maxRss - before.rssKib()).as("RSS growth (KiB)").isLessThan(96 * 1024);
        assertThat(maxThreads - before.threads()).as("threads: two per flooding session and the client's").isLessThanOrEqualTo(3 * 2 + 6);
        assertThat(ref.daemon().alive()).isTrue();
    }

    /**
     * Item 8: twelve connections from one IPv4 address and twelve from six addresses of one IPv6
     * /64. Four of each are served; the others get 421 at once, refused on the accept thread
     * before any thread exists for them.
     */
    @Test
    void anAcceptFloodFromOneAddressOrOneSlash64IsRefusedBeyondTheLimitWithoutAThreadEach() {
        ProcessSize before = ProcessSize.of(ref.daemon().pid());
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            v4.add(CONNECTOR);
            v6.add(CONNECTOR6.get(i % CONNECTOR6.size()));
        }
        BackgroundProcess a4 = ref.lab().own(AttackScripts.attackInBackground(ref.lab().client(), dir.resolve("accept4.log"), "accept",
                SERVER_V4, 21, concat("6", v4)));
        BackgroundProcess a6 = ref.lab().own(AttackScripts.attackInBackground(ref.lab().client(), dir.resolve("accept6.log"), "accept",
                SERVER_V6, 21, concat("6", v6)));
        a4.awaitLine(Pattern.compile("^holding"), Duration.ofSeconds(60));
        a6.awaitLine(Pattern.compile("^holding"), Duration.ofSeconds(60));
        ProcessSize holding = ProcessSize.of(ref.daemon().pid());
        System.out.printf("accept flood: before %s, while 8 sessions are held and 16 refused: %s%n", before, holding);
        for (BackgroundProcess p : List.of(a4, a6)) {
            List<String> conns = p.log().lines().filter(l -> l.startsWith("conn ")).toList();
            assertThat(conns).as("%s", p.log()).hasSize(12);
            assertThat(conns).filteredOn(l -> l.contains(" 220")).as("%s", p.log()).hasSize(4);
            assertThat(conns).filteredOn(l -> l.endsWith("421 Too many connections.")).as("%s", p.log()).hasSize(8)
                    .allSatisfy(l -> assertThat(Double.parseDouble(l.split(" ")[3])).as("refused at once: %s", l).isLessThan(1.0));
        }
        assertThat(holding.threads() - before.threads()).as("two threads per admitted session, none per refused one")
                .isLessThanOrEqualTo(8 * 2 + 4);
        // one line per 10 s for all refusals (a flood costs the log one line per interval)
        assertThat(ref.daemon().log()).contains("max_sessions_per_client 4 reached");
        a4.awaitExit(Duration.ofSeconds(30));
        a6.awaitExit(Duration.ofSeconds(30));
    }

    /** Item 8: the listen port itself, not redirected, from the WAN side and from the LAN: dropped by the ruleset. */
    @Test
    void theListenPortIsUnreachableExceptThroughARedirect() {
        long dropped = AttackScripts.counter(ref.lab().router(), "proxy_input", "proxy: only redirected connections reach the ALG");
        for (String[] target : List.of(new String[] {"server", ROUTER_OUTSIDE_V4}, new String[] {"server", ROUTER_OUTSIDE_V6},
                new String[] {"client", ROUTER_INSIDE_V4})) {
            var ns = target[0].equals("server") ? ref.lab().server() : ref.lab().client();
            Cmd.Result r = AttackScripts.attack(ns, Duration.ofSeconds(20), "connect", target[1], 8021);
            assertThat(r.out()).as("%s -> %s:8021\n%s", target[0], target[1], r).startsWith("timeout");
        }
        assertThat(AttackScripts.counter(ref.lab().router(), "proxy_input", "proxy: only redirected connections reach the ALG"))
                .as("the SYNs were dropped by proxy_input").isGreaterThan(dropped);
        assertThat(ref.daemon().log()).as("the daemon never saw them").doesNotContain("matches no proxy rule");
    }

    /** Item 10 (part): a SIGHUP with a lower per-client limit takes effect at the next accept, without a restart. */
    @Test
    void aReloadedPolicysLimitsApplyWithoutARestart() throws Exception {
        Path policy = ref.daemon().policy();
        long pid = ref.daemon().pid();
        try {
            Files.writeString(policy, POLICY.replace("max_sessions_per_client: 4", "max_sessions_per_client: 2"));
            assertThat(ref.daemon().reload()).contains("policy applied");
            Cmd.Result r = AttackScripts.attack(ref.lab().client(), Duration.ofSeconds(40), "accept", SERVER_V4, 21, "1", RELOADER,
                    RELOADER, RELOADER);
            List<String> conns = r.out().lines().filter(l -> l.startsWith("conn ")).toList();
            assertThat(conns).as("%s", r).hasSize(3);
            assertThat(conns.subList(0, 2)).allSatisfy(l -> assertThat(l).contains(" 220"));
            assertThat(conns.get(2)).endsWith("421 Too many connections.");
            assertThat(ref.daemon().pid()).as("the same daemon").isEqualTo(pid);
            assertThat(ref.daemon().log()).contains("proxy: limits now max 1000 sessions, 2 per client");
        } finally {
            Files.writeString(policy, POLICY);
            ref.daemon().reload();
        }
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }
}
