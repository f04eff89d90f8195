package io.ftpnat.security;

import io.ftpnat.ruleset.TableObjects;
import static io.ftpnat.lab.Topology.CLIENT_V4;
import static io.ftpnat.lab.Topology.ROUTER_OUTSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.Daemon;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.PythonFtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NAT slipstreaming and a 227 flood against the real daemon and the real kernel (issue #11):
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router 10.10.10.1 | 192.168.10.114 (r1)── server 192.168.10.115
 *   victim service :5555     ftpnatd, kernel mode, SNAT masquerade      vsftpd :21 (correct)
 *   attacker's page in a     --reconcile-interval 1                     sink :2121 (reads, connects back)
 *   browser (attack …)                                                  flood :2122 (227s to 198.51.100.9)
 * </pre>
 *
 * An inside application is made to send "...\r\nPORT 10,10,10,2,21,179\r\n" (10.10.10.2:5555) to a
 * control port; the server then connects to the router's outside address, port 5555, which is where
 * an expectation made for that PORT would lead it. The secure outcome, for every variant: no
 * expectation for it in the kernel, the server's connection fails, the victim sees nothing, and
 * {@code ftpnatctl sessions} says why. The control: the same PORT where the kernel itself reads it
 * does reach the victim (the harness sees a hole when there is one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlipstreamingTest {
    static final int SINK = 2121;
    static final int FLOOD = 2122;
    static final Map<String, String> DIAGNOSIS = Map.of(
            "http-first-segment", "PORT not at the first byte of one TCP segment",
            "port-first-segment", "PORT in the first segment of its direction",
            "not-after-lf", "PORT at the start of a segment that does not follow a segment ending in LF",
            "split", "PORT not at the first byte of one TCP segment",
            "eprt-first-segment", "EPRT not at the first byte of one TCP segment",
            "lowercase-in-request", "PORT not at the first byte of one TCP segment",
            "leading-space", "PORT not in the kernel helper's strict syntax",
            "two-spaces", "PORT not in the kernel helper's strict syntax",
            "second-line", "PORT not at the first byte of one TCP segment");

    ReferenceLab ref;
    FtpServer good;
    BackgroundProcess sink;
    BackgroundProcess victim;
    String python;

    @BeforeAll
    void up() throws Exception {
        SlipstreamLab.assumeLabWithDaemon();
        ref = ReferenceLab.create(21, SINK, FLOOD);
        good = ref.startServer(ServerKind.VSFTPD, 21);
        python = PythonFtpClient.python();
        Path dir = ref.lab().dir("slipstream");
        sink = ref.lab().own(ref.lab().server().start("sink", dir.resolve("sink.log"), python, SlipstreamLab.script(), "sink",
                SERVER_V4, Integer.toString(SINK), ROUTER_OUTSIDE_V4));
        BackgroundProcess flood = ref.lab().own(ref.lab().server().start("flood", dir.resolve("flood.log"), python,
                SlipstreamLab.script(), "flood", SERVER_V4, Integer.toString(FLOOD), "3"));
        victim = ref.lab().own(ref.lab().client().start("victim", dir.resolve("victim.log"), python, SlipstreamLab.script(),
                "listen", CLIENT_V4, "5555"));
        for (BackgroundProcess p : new BackgroundProcess[] {sink, flood, victim}) {
            p.awaitLine(Pattern.compile("listening"), Duration.ofSeconds(10));
        }
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                version: 1
                control_ports: [21, %d, %d]
                snat:
                  - name: lan
                    source: 10.10.10.0/24
                    out_interface: r1
                    to: masquerade
                """.formatted(SINK, FLOOD));
        ref.startDaemon(policy, "--reconcile-interval", "1");
    }

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    Daemon daemon() {
        return ref.daemon();
    }

    /** (a), (b): each variant on its own connection; the server tries to connect back meanwhile. */
    @ParameterizedTest
    @ValueSource(strings = {"http-first-segment", "port-first-segment", "not-after-lf", "split", "eprt-first-segment",
            "lowercase-in-request", "leading-space", "two-spaces", "second-line"})
    @Order(1)
    void aSmuggledCommandOpensNothing(String variant) throws Exception {
        long reached = victim.countLines(l -> l.contains("victim-reached"));
        long closed = sink.countLines(l -> l.startsWith("closed"));
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), python, SlipstreamLab.script(), "attack", variant,
                SERVER_V4, Integer.toString(SINK), "2.5");
        Matcher sent = Pattern.compile("sent " + variant + " (\\d+)").matcher(r.out());
        assertThat(sent.find()).as("%s", r).isTrue();
        int sport = Integer.parseInt(sent.group(1));
        assertThat(ref.router().expectations()).as("no expectation for 5555 (%s)", variant).noneMatch(e -> e.contains("5555"));
        awaitUntil(() -> sink.countLines(l -> l.startsWith("closed")) > closed, "the sink closed the connection");
        assertThat(sink.log().lines().filter(l -> l.startsWith("connect-back 5555 ok"))).as("the server's connection back").isEmpty();
        assertThat(victim.countLines(l -> l.contains("victim-reached"))).as("nothing reached the victim").isEqualTo(reached);
        String expected = DIAGNOSIS.get(variant);
        awaitUntil(() -> SlipstreamLab.sessionLine(daemon(), sport, SINK).contains(expected), "diagnosis '" + expected + "'");
        assertThat(SlipstreamLab.sessionLine(daemon(), sport, SINK)).contains("no expectation");
    }

    /** (c): drift forced (the expectation table flushed) and reconciles every second: nothing is "restored". */
    @Test
    @Order(2)
    void reconcilesAfterAFlushDoNotCreateIt() throws Exception {
        BackgroundProcess attack = ref.lab().own(ref.lab().client().start("attack-hold", ref.lab().dir("slipstream").resolve("hold.log"),
                python, SlipstreamLab.script(), "attack", "http-first-segment", SERVER_V4, Integer.toString(SINK), "5"));
        attack.awaitLine(Pattern.compile("^sent"), Duration.ofSeconds(10));
        long reconciles = SlipstreamLab.counter(daemon(), "reconciles");
        long restored = SlipstreamLab.counter(daemon(), "drift_missing_repaired");
        ref.lab().router().exec("conntrack", "-F", "expect");
        awaitUntil(() -> SlipstreamLab.counter(daemon(), "reconciles") >= reconciles + 2, "two reconciles");
        assertThat(ref.router().expectations()).noneMatch(e -> e.contains("5555"));
        assertThat(SlipstreamLab.counter(daemon(), "drift_missing_repaired")).isEqualTo(restored);
        attack.awaitExit(Duration.ofSeconds(15));
        assertThat(sink.log().lines().filter(l -> l.startsWith("connect-back 5555 ok"))).isEmpty();
    }

    /** (d): FTP itself still works: curl's active download, and the kernel's own expectation is restored after drift. */
    @Test
    @Order(3)
    void aLegitimatePortStillWorksAndTheKernelsOwnExpectationIsRestored() throws Exception {
        ClientRun run = ref.run(ref.curl(), FtpJob.download(good, SERVER_V4, DataMode.PORT, "one.bin").withTimeout(Duration.ofSeconds(20)));
        assertThat(run.ok()).as("%s\n%s", run, daemon().log()).isTrue();
        assertThat(run.sha256().get("one.bin")).isEqualTo(good.file("one.bin").sha256());

        Path go = ref.lab().dir("slipstream").resolve("go");
        BackgroundProcess hold = ref.lab().own(ref.lab().client().start("hold-port", ref.lab().dir("slipstream").resolve("hold-port.log"),
                python, SlipstreamLab.script(), "hold-port", SERVER_V4, "21", go.toString()));
        String ready = hold.awaitLine(Pattern.compile("^port-ready"), Duration.ofSeconds(15));
        String port = ready.substring("port-ready ".length()).trim();
        awaitUntil(() -> ref.router().expectations().stream().anyMatch(e -> e.contains("dport=" + port)), "the kernel's expectation");
        long restored = SlipstreamLab.counter(daemon(), "drift_missing_repaired");
        ref.lab().router().run("conntrack", "-F", "expect");
        awaitUntil(() -> SlipstreamLab.counter(daemon(), "drift_missing_repaired") > restored, "the daemon restoring it");
        awaitUntil(() -> ref.router().expectations().stream().anyMatch(e -> e.contains("dport=" + port)), "the expectation back");
        Files.writeString(go, "go");
        String data = hold.awaitLine(Pattern.compile("^data-(ok|failed)"), Duration.ofSeconds(20));
        assertThat(data).as("%s\n%s", hold.log(), daemon().log()).startsWith("data-ok").endsWith(good.file("one.bin").sha256());
    }

    /** The control: the same PORT where the kernel reads it (after a segment ending in LF) does open the way. */
    @Test
    @Order(4)
    void theSameCommandWhereTheKernelReadsItReachesTheVictim() throws Exception {
        long reached = victim.countLines(l -> l.contains("victim-reached"));
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), python, SlipstreamLab.script(), "attack", "kernel-position",
                SERVER_V4, Integer.toString(SINK), "2.5");
        assertThat(r.out()).contains("sent kernel-position");
        awaitUntil(() -> victim.countLines(l -> l.contains("victim-reached")) > reached, "the victim reached (the harness sees holes)");
        assertThat(sink.log()).contains("connect-back 5555 ok");
    }

    /**
     * (e): a malicious server answers each of 300 PASVs with three 227s naming 198.51.100.9 while
     * another client downloads from the correct server: repairs are held to the budget, the daemon's
     * memory and threads stay put, the advertised set holds one element for the session.
     */
    @Test
    @Order(5)
    void a227FloodIsBoundedAndOthersAreStillServed() throws Exception {
        long pid = daemon().pid();
        long rss0 = SlipstreamLab.procStatus(pid, "VmRSS");
        long threads0 = SlipstreamLab.procStatus(pid, "Threads");
        long repairs0 = SlipstreamLab.counter(daemon(), "repairs");
        long limited0 = SlipstreamLab.counter(daemon(), "repairs_rate_limited");
        BackgroundProcess burst = ref.lab().own(ref.lab().client().start("pasv-burst", ref.lab().dir("slipstream").resolve("burst.log"),
                python, SlipstreamLab.script(), "pasv-burst", SERVER_V4, Integer.toString(FLOOD), "300"));
        ClientRun legit = ref.run(ref.curl(), FtpJob.download(good, SERVER_V4, DataMode.PASV, "one.bin").withTimeout(Duration.ofSeconds(30)));
        String done = burst.awaitLine(Pattern.compile("^burst-done"), Duration.ofSeconds(45));
        double seconds = Double.parseDouble(done.split(" ")[2]);
        String set = ref.lab().router().run("nft", "list", "set", "inet", "ftpnat", TableObjects.ADVERTISED4);
        long rss1 = SlipstreamLab.procStatus(pid, "VmRSS");
        long threads1 = SlipstreamLab.procStatus(pid, "Threads");
        long repairs = SlipstreamLab.counter(daemon(), "repairs") - repairs0;
        long limited = SlipstreamLab.counter(daemon(), "repairs_rate_limited") - limited0;
        System.out.printf("227 flood: 300 PASV x 3 foreign 227 in %.1f s: %d repairs, %d refused by the budget;"
                + " daemon RSS %d -> %d kB, threads %d -> %d%n", seconds, repairs, limited, rss0, rss1, threads0, threads1);

        assertThat(legit.ok()).as("the other session\n%s", legit).isTrue();
        assertThat(legit.sha256().get("one.bin")).isEqualTo(good.file("one.bin").sha256());
        assertThat(limited).as("repairs refused by the budget").isPositive();
        assertThat(repairs).as("per session: 20 at once, then 10/s").isLessThanOrEqualTo(20 + (long) Math.ceil(10 * (seconds + 2)));
        assertThat(rss1 - rss0).as("RSS growth in kB").isLessThan(64 * 1024);
        assertThat(threads1).as("threads").isLessThanOrEqualTo(threads0 + 2);
        assertThat(set).contains("size 4096");
        assertThat(set.split("198\\.51\\.100\\.9", -1).length - 1).as("one watched address per session\n%s", set).isLessThanOrEqualTo(1);
        assertThat(daemon().alive()).isTrue();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
