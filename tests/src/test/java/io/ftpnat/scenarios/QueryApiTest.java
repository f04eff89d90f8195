package io.ftpnat.scenarios;

import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An operator queries the router while an FTP session is open, through ftpnatctl and the daemon's
 * socket, and gets the same answers as conntrack-tools on the same kernel state.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1:21 ══DNAT══ (r1) ── server 192.168.10.115:21
 *                           ftpnatd ── /…/ftpnatd.sock ── ftpnatctl
 * </pre>
 *
 * A Python ftplib client logs in through the published address, sends PASV and then waits: the
 * kernel helper has rewritten the 227 and holds an expectation for the data connection, which
 * stays in the table while the client waits — long enough to compare every view.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiTest {
    private static final Pattern TIMEOUT = Pattern.compile("^(\\S+\\s+\\d+\\s+)\\d+ ");
    private static final String HOLD_PASV = String.join("\n",
            "import ftplib, sys, time",
            "f = ftplib.FTP()",
            "f.connect(sys.argv[1], 21, timeout=20)",
            "f.login()",
            "f.sendcmd('TYPE I')",
            "print(f.sendcmd('PASV'), flush=True)",
            "time.sleep(float(sys.argv[2]))",
            "f.close()");

    private ReferenceLab ref;
    private BackgroundProcess session;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        LabAssumptions.assumeServer(ServerKind.VSFTPD);
        ref = ReferenceLab.create();
        ref.startServer(ServerKind.VSFTPD, 21);
        ref.startDaemon(ProjectHome.example("reference-lab.yaml"));
        Path script = ref.lab().dir("query-api").resolve("hold_pasv.py");
        Files.writeString(script, HOLD_PASV);
        session = ref.lab().own(ref.lab().client().start("ftplib-hold-pasv", ref.lab().dir("query-api").resolve("client.log"),
                PythonFtpClient.python(), script.toString(), ROUTER_INSIDE_V4, "60"));
        session.awaitLine(Pattern.compile("^227 "), Duration.ofSeconds(20));
    }

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    private Cmd.Result ctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", ref.daemon().socket().toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    private List<String> conntrackTools(String... args) {
        List<String> argv = new ArrayList<>(List.of("conntrack", "-L"));
        argv.addAll(List.of(args));
        Cmd.Result r = ref.lab().router().exec(argv.toArray(String[]::new));
        return withoutTimeouts(r.out());
    }

    /** Entries as lines, in the order listed, without the seconds left, which tick between the two reads. */
    private static List<String> withoutTimeouts(String out) {
        return out.lines().filter(l -> !l.isBlank() && !l.startsWith("conntrack v"))
                .map(l -> TIMEOUT.matcher(l).replaceFirst("$1"))
                .toList();
    }

    @Test
    void conntrackListIsWhatConntrackToolsListsLineForLine() {
        Cmd.Result ours = ctl("-o", "conntrack", "conntrack", "list");
        assertThat(ours.ok()).as("%s", ours).isTrue();
        List<String> theirs = conntrackTools();
        assertThat(theirs).as("the router has the control connection").anyMatch(l -> l.contains("helper=ftp"));
        assertThat(withoutTimeouts(ours.out())).containsExactlyElementsOf(theirs);
        assertThat(ours.err()).contains(theirs.size() + " flow entries have been shown.");
    }

    @Test
    void filtersSelectWhatConntrackToolsFiltersSelect() {
        String[][] filters = {
                {"-p", "tcp", "--dport", "21"},
                {"-s", CLIENT_V4},
                {"-d", ROUTER_INSIDE_V4},
                {"-f", "ipv6"},
                {"-p", "udp"},
        };
        for (String[] f : filters) {
            List<String> args = new ArrayList<>(List.of("-o", "conntrack", "conntrack", "list"));
            args.addAll(List.of(f));
            Cmd.Result ours = ctl(args.toArray(String[]::new));
            assertThat(ours.ok()).as("%s", ours).isTrue();
            assertThat(withoutTimeouts(ours.out())).as("filter %s", String.join(" ", f)).containsExactlyElementsOf(conntrackTools(f));
        }
        Cmd.Result count = ctl("-o", "json", "conntrack", "count", "-p", "tcp", "--dport", "21");
        assertThat(count.out()).contains("\"count\" : " + conntrackTools("-p", "tcp", "--dport", "21").size());
        // unfiltered, the count is the kernel's own number, the one conntrack -C prints (read on
        // both sides of ours: an entry timing out in between makes that round not count)
        boolean compared = false;
        for (int round = 0; round < 5 && !compared; round++) {
            String before = ref.lab().router().run("conntrack", "-C").strip();
            String all = ctl("-o", "json", "conntrack", "count").out();
            String after = ref.lab().router().run("conntrack", "-C").strip();
            if (before.equals(after)) {
                assertThat(all).contains("\"count\" : " + before);
                compared = true;
            }
        }
        assertThat(compared).as("the table stood still for one round of the comparison").isTrue();
    }

    @Test
    void theExpectationIsTheOneConntrackToolsShows() {
        Cmd.Result ours = ctl("-o", "conntrack", "expect", "list");
        assertThat(ours.ok()).as("%s", ours).isTrue();
        Cmd.Result theirs = ref.lab().router().exec("conntrack", "-L", "expect");
        Set<String> expected = tuples(theirs.out());
        assertThat(expected).as("conntrack -L expect\n%s", theirs.out()).isNotEmpty();
        assertThat(tuples(ours.out())).isEqualTo(expected);
    }

    /** The expected and master tuples of `conntrack -L expect` lines, which both formats share. */
    private static Set<String> tuples(String out) {
        Pattern p = Pattern.compile("proto=\\d+ (src=\\S+ dst=\\S+ sport=\\d+ dport=\\d+).*(master-src=\\S+ master-dst=\\S+ sport=\\d+ dport=\\d+)");
        return out.lines().map(p::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> m.group(1) + " | " + m.group(2)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void sessionsShowTheControlConnectionWithItsExpectation() {
        Cmd.Result r = ctl("-o", "table", "sessions");
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.out()).contains("session " + CLIENT_V4 + ":").contains(" -> " + ROUTER_INSIDE_V4 + ":21")
                .contains("helper ftp").contains("expecting  " + CLIENT_V4);
    }

    @Test
    void statusNamesThePolicyInForce() {
        Cmd.Result r = ctl("-o", "json", "status");
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.out()).contains("\"ftp_helper\" : true").contains("\"snat_rules\" : 2").contains("\"dnat_rules\" : 1")
                .contains("\"conntrack_entries\" : ").contains("\"event_loss_reports\" : 0");
        String digest = Pattern.compile("digest ([0-9a-f]{16})").matcher(ref.daemon().log()).results()
                .reduce((a, b) -> b).orElseThrow().group(1);
        assertThat(r.out()).contains("\"digest\" : \"" + digest + "\"");
    }

    @Test
    void aBrokenPolicyAppliedThroughTheSocketIsRefusedAndChangesNothing() throws Exception {
        String before = ref.router().ftpnatTable();
        Path bad = ref.lab().dir("query-api").resolve("bad.yaml");
        Files.writeString(bad, "version: 1\nsnat:\n  - name: lan\n    source: 10.10.10.0/40\n    out_interface: r7\n");
        Cmd.Result r = ctl("policy", "apply", bad.toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(1);
        assertThat(r.err()).contains(bad + ":4:13: snat[0].source");
        assertThat(ref.router().ftpnatTable()).isEqualTo(before);
        assertThat(Files.readString(ref.daemon().policy())).isEqualTo(Files.readString(ProjectHome.example("reference-lab.yaml")));
    }

    @Test
    void fiftyClientsAtOnceAllGetTheAnswer() throws Exception {
        String expected = rawAsk("{\"id\":0,\"cmd\":\"conntrack.count\"}");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50);
        try {
            List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(() -> rawAsk("{\"id\":0,\"cmd\":\"conntrack.count\"}")));
            }
            for (var a : answers) {
                assertThat(a.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(expected).contains("\"ok\":true").contains("\"count\":");
    }

    @Test
    void malformedRequestsGetJsonErrorsWhileOthersAreServed() throws Exception {
        try (Raw bad = new Raw(); Raw good = new Raw()) {
            assertThat(bad.ask("garbage")).contains("\"code\":\"bad_json\"");
            assertThat(bad.ask("{\"cmd\":\"conntrack.list\",\"args\":{\"dport\":\"21\"}}")).contains("\"code\":\"bad_request\"")
                    .contains("dport");
            assertThat(bad.ask("{\"cmd\":\"nope\"}")).contains("\"code\":\"unknown_command\"");
            assertThat(bad.ask("{\"cmd\":\"conntrack.list\",\"args\":{\"colour\":1}}")).contains("unknown filter 'colour'");
            // a client that asks for a stream and vanishes before reading it
            try (Raw gone = new Raw()) {
                gone.send("{\"cmd\":\"conntrack.list\"}");
            }
            // a 10 MB line: refused and closed, the daemon does not buffer it
            byte[] chunk = "x".repeat(1 << 16).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 160; i++) {
                    bad.out.write(chunk);
                }
                bad.out.write('\n');
                bad.out.flush();
            } catch (java.io.IOException closedByTheDaemon) {
                // expected once the daemon stops reading at 1 MiB
            }
            assertThat(good.ask("{\"cmd\":\"status\"}")).contains("\"ok\":true");
            assertThat(bad.in.readLine()).contains("\"code\":\"line_too_long\"");
        }
        assertThat(ref.daemon().alive()).isTrue();
    }

    private String rawAsk(String request) throws java.io.IOException {
        try (Raw c = new Raw()) {
            return c.ask(request);
        }
    }

    /** A client speaking the protocol by hand, as socat or another language would. */
    private final class Raw implements AutoCloseable {
        final java.nio.channels.SocketChannel channel;
        final java.io.BufferedReader in;
        final java.io.OutputStream out;

        Raw() throws java.io.IOException {
            channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            channel.connect(java.net.UnixDomainSocketAddress.of(ref.daemon().socket()));
            in = new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(channel),
                    java.nio.charset.StandardCharsets.UTF_8));
            out = java.nio.channels.Channels.newOutputStream(channel);
        }

        void send(String line) throws java.io.IOException {
            out.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
        }

        String ask(String line) throws java.io.IOException {
            send(line);
            return in.readLine();
        }

        @Override
        public void close() throws java.io.IOException {
            channel.close();
        }
    }

    @Test
    void anUnknownSocketIsReportedWithExitCode3() {
        Cmd.Result r = Cmd.run(ProjectHome.get().resolve("bin/ftpnatctl").toString(), "--socket", "/nonexistent/ftpnat.sock", "status");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("cannot reach ftpnatd at /nonexistent/ftpnat.sock");
    }
}
