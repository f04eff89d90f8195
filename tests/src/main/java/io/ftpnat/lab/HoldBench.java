package io.ftpnat.lab;

import static java.lang.System.out;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repair race with and without the hold (docs/benchmarks.md, "Repairs that never lose the
 * race"), in the reference lab, one daemon, the same run. The hold is switched off by emptying
 * the {@code hold_queue} chain by hand and on again by a reload (the daemon appends its queueing
 * rule after every apply); blocks alternate, their order flipped every round, after a warm-up
 * block of each. Per block and variant:
 * <ul>
 * <li>curl, 0 ms from the router, through DNAT to vsftpd with pasv_address=198.51.100.9
 *     (curl connects to the control address at once): transfers that succeed;</li>
 * <li>a scripted client through the same DNAT: the time from sending PASV to reading the 227
 *     (the hold's added latency), and whether its data connection succeeds;</li>
 * <li>a client through SNAT that trusts the 227 (connects to 198.51.100.9): success and the time
 *     its data connection takes to open (about 1 s without the hold: the retransmitted SYN).</li>
 * </ul>
 * And the share of the control connections' packets that went to userspace (kernel counters).
 */
public final class HoldBench {
    enum Variant { HOLD, NO_HOLD }

    private HoldBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int perBlock = 20;
        String keepLog = null;
        for (int i = 0; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--per-block" -> perBlock = Integer.parseInt(args[++i]);
                case "--keep-log" -> keepLog = args[++i];
                default -> { }
            }
        }
        int rc = 1;
        try (ReferenceLab ref = ReferenceLab.create(21, 2121)) {
            run(ref, rounds, perBlock, keepLog);
            rc = 0;
        } catch (RuntimeException e) {
            out.println("BENCHMARK FAILED: " + e);
        }
        System.exit(rc);
    }

    /** Results of one variant over all its blocks. */
    static final class Tally {
        int curlOk;
        int curlRuns;
        int scriptedOk;
        int scriptedRuns;
        int trustingOk;
        int trustingRuns;
        final List<Double> pasvMillis = new ArrayList<>();
        final List<Double> trustingConnectMillis = new ArrayList<>();
    }

    static void run(ReferenceLab ref, int rounds, int perBlock, String keepLog) throws Exception {
        NamespaceLab lab = ref.lab();
        ref.startServer(ServerKind.VSFTPD, 21);
        WrongPasvAddress.start(lab);
        Path policy = WrongPasvAddress.policy(lab.dir("holdbench").resolve("policy.yaml"));
        // a table of the bench's own counts every packet of the control connections (both directions) and those with data
        Path counters = lab.dir("holdbench").resolve("counters.nft");
        Files.writeString(counters, COUNTERS);
        lab.router().run("nft", "-f", counters.toString());
        Daemon daemon = ref.startDaemon(policy);
        Path script = lab.dir("holdbench").resolve("client.py");
        Files.writeString(script, CLIENT);

        Map<Variant, Tally> tally = new EnumMap<>(Variant.class);
        tally.put(Variant.HOLD, new Tally());
        tally.put(Variant.NO_HOLD, new Tally());
        out.printf("== repair race, kernel %s, %d cores, load %s; %d rounds x %d per block and variant (plus a warm-up block each)%n",
                Cmd.run("uname", "-r").out().strip(), Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip(), rounds, perBlock);
        for (Variant v : List.of(Variant.HOLD, Variant.NO_HOLD)) {
            toggle(lab, daemon, v);
            block(ref, daemon, script, v, Math.max(3, perBlock / 4), new Tally(), true);
        }
        long[] queued = {0, 0}; // replies, SYNs queued in the hold blocks
        long[] control = {0, 0}; // packets of the control connections in the hold blocks: all, with data
        for (int r = 0; r < rounds; r++) {
            List<Variant> order = r % 2 == 0 ? List.of(Variant.HOLD, Variant.NO_HOLD) : List.of(Variant.NO_HOLD, Variant.HOLD);
            for (Variant v : order) {
                toggle(lab, daemon, v);
                long[] h0 = holdCounters(lab);
                long[] c0 = controlCounters(lab);
                block(ref, daemon, script, v, perBlock, tally.get(v), false);
                if (v == Variant.HOLD) {
                    long[] h1 = holdCounters(lab);
                    long[] c1 = controlCounters(lab);
                    for (int i = 0; i < 2; i++) {
                        queued[i] += h1[i] - h0[i];
                        control[i] += c1[i] - c0[i];
                    }
                }
            }
        }
        out.println();
        for (Variant v : List.of(Variant.HOLD, Variant.NO_HOLD)) {
            Tally t = tally.get(v);
            out.printf("%-8s curl DNAT wrong pasv_address: %d of %d succeeded%n", v, t.curlOk, t.curlRuns);
            out.printf("%-8s scripted client DNAT (connects at once): %d of %d succeeded; PASV->227 ms: %s%n", v, t.scriptedOk,
                    t.scriptedRuns, stats(t.pasvMillis));
            out.printf("%-8s trusting client SNAT (to 198.51.100.9): %d of %d succeeded; data connect ms: %s%n", v, t.trustingOk,
                    t.trustingRuns, stats(t.trustingConnectMillis));
        }
        double p50h = pct(tally.get(Variant.HOLD).pasvMillis, 50);
        double p50n = pct(tally.get(Variant.NO_HOLD).pasvMillis, 50);
        double p99h = pct(tally.get(Variant.HOLD).pasvMillis, 99);
        double p99n = pct(tally.get(Variant.NO_HOLD).pasvMillis, 99);
        out.printf(Locale.ROOT, "227 added latency by the hold: p50 %+.2f ms, p99 %+.2f ms (hold minus no hold)%n", p50h - p50n, p99h - p99n);
        long replies = queued[0];
        long syns = queued[1];
        long packets = control[0];
        long withData = control[1];
        out.printf(Locale.ROOT, "queued to userspace in the hold blocks: %d replies + %d SYNs; control connections' packets %d"
                        + " (%d with data): %.1f %% of all control packets, %.1f %% of those with data%n",
                replies, syns, packets, withData, 100.0 * replies / Math.max(1, packets), 100.0 * replies / Math.max(1, withData));
        // the session model's counters: a copy it could not place, a session it shed, a gap in a stream
        String status = daemon.ctl("-o", "json", "status").out();
        Matcher modelCounters = Pattern.compile("\"(observed_packets|observer_losses|unmatched_packets|stream_gaps|repairs|repair_failures"
                + "|repairs_rate_limited|sessions_shed|sessions_not_adopted|followed_to_advertised_address)\"\\s*:\\s*(\\d+)").matcher(status);
        StringBuilder model = new StringBuilder();
        while (modelCounters.find()) {
            model.append(' ').append(modelCounters.group(1)).append(' ').append(modelCounters.group(2));
        }
        out.println("daemon: session model:" + model);
        daemon.stop(); // its last words: what the hold did, with the hold durations it measured
        if (keepLog != null) { // the whole log, for reading a failed transfer's session afterwards
            java.nio.file.Files.writeString(java.nio.file.Path.of(keepLog), daemon.log());
            out.println("daemon log kept in " + keepLog);
        }
        out.println("daemon: " + daemon.log().lines().filter(l -> l.contains("released at its deadline")).count()
                + " held replies released at their deadline");
        daemon.log().lines().filter(l -> l.contains("segment hold:")).forEach(l -> out.println("daemon: " + l.strip()));
        // its warnings (a refused repair, a late copy…): the first few, and how many
        List<String> warnings = daemon.log().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
        out.println("daemon: " + warnings.size() + " warnings or errors" + (warnings.isEmpty() ? "" : ", the first:"));
        warnings.stream().limit(5).forEach(l -> out.println("  " + l.strip()));
    }

    /** Hold on: a reload (the apply appends the queueing rule again; it also resets the ruleset's counters). Off: its chain emptied. */
    private static void toggle(NamespaceLab lab, Daemon daemon, Variant v) {
        if (v == Variant.HOLD) {
            daemon.reload();
            if (!lab.router().run("nft", "list", "chain", "inet", "ftpnat", "hold_queue").contains("queue")) {
                throw new LabException("the reload did not put the queueing rule back");
            }
        } else {
            lab.router().run("nft", "flush", "chain", "inet", "ftpnat", "hold_queue");
        }
    }

    private static void block(ReferenceLab ref, Daemon daemon, Path script, Variant v, int n, Tally t, boolean warmUp) {
        NamespaceLab lab = ref.lab();
        // curl, one process per transfer: login, PASV, data connection to the control address at once
        Cmd.Result curl = lab.client().exec(Duration.ofMinutes(10), "sh", "-c", ("for i in $(seq 1 %d); do "
                + "curl -sS --disable-epsv --connect-timeout 5 --max-time 20 -o /dev/null ftp://%s:2121/one.bin"
                + " && echo curl-ok || echo curl-failed; done").formatted(n, Topology.ROUTER_INSIDE_V4));
        int curlOk = count(curl.out(), "curl-ok");
        if (curlOk < n) { // what went wrong, from curl itself
            curl.err().lines().filter(l -> l.startsWith("curl:")).distinct().limit(3).forEach(l -> out.println("  " + v + " curl: " + l));
        }
        Cmd.Result dnat = lab.client().exec(Duration.ofMinutes(10), PythonFtpClient.python(), script.toString(),
                Topology.ROUTER_INSIDE_V4, "2121", Integer.toString(n), "0");
        Cmd.Result snat = lab.client().exec(Duration.ofMinutes(10), PythonFtpClient.python(), script.toString(),
                Topology.SERVER_V4, "2121", Integer.toString(n), "1");
        // what went wrong, from the scripted clients themselves (the exception, its spaces as _)
        dnat.out().lines().filter(l -> l.startsWith("fail ")).limit(3).forEach(l -> out.println("  " + v + " scripted: " + l));
        snat.out().lines().filter(l -> l.startsWith("fail ")).limit(3).forEach(l -> out.println("  " + v + " trusting: " + l));
        List<Double> pasv = column(dnat.out(), 1);
        List<Double> connect = column(snat.out(), 2);
        out.printf(Locale.ROOT, "%s%-8s curl %d/%d, scripted %d/%d (PASV->227 median %.2f max %.2f ms), trusting %d/%d (connect median %.1f ms)%n",
                warmUp ? "warm-up " : "block   ", v, curlOk, n, count(dnat.out(), "ok "), n, pct(pasv, 50), pct(pasv, 100),
                count(snat.out(), "ok "), n, pct(connect, 50));
        t.curlOk += curlOk;
        t.curlRuns += n;
        t.scriptedOk += count(dnat.out(), "ok ");
        t.scriptedRuns += n;
        t.trustingOk += count(snat.out(), "ok ");
        t.trustingRuns += n;
        t.pasvMillis.addAll(pasv);
        t.trustingConnectMillis.addAll(connect);
    }

    private static int count(String text, String prefix) {
        return (int) text.lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** Column {@code i} (0 is the word "ok"/"fail") of every result line; "-" is skipped. */
    private static List<Double> column(String text, int i) {
        List<Double> out = new ArrayList<>();
        for (String l : text.lines().toList()) {
            String[] w = l.trim().split("\\s+");
            if ((w[0].equals("ok") || w[0].equals("fail")) && w.length > i && !w[i].equals("-")) {
                out.add(Double.parseDouble(w[i]));
            }
        }
        return out;
    }

    /** [replies queued, SYNs queued] from the ruleset's counters. */
    private static long[] holdCounters(NamespaceLab lab) {
        return new long[] {sum(lab.router().run("nft", "list", "chain", "inet", "ftpnat", "hold_reply")),
                sum(lab.router().run("nft", "list", "chain", "inet", "ftpnat", "hold_connect"))};
    }

    /** [all packets of the control connections, those with data] from the bench's own table. */
    private static long[] controlCounters(NamespaceLab lab) {
        return new long[] {sum(lab.router().run("nft", "list", "chain", "inet", "holdbench", "control")),
                sum(lab.router().run("nft", "list", "chain", "inet", "holdbench", "withdata"))};
    }

    private static long sum(String chain) {
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(chain);
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    static double pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, idx)));
    }

    private static String stats(List<Double> v) {
        return String.format(Locale.ROOT, "n %d, p50 %.2f, p90 %.2f, p99 %.2f, max %.2f", v.size(), pct(v, 50), pct(v, 90), pct(v, 99),
                pct(v, 100));
    }

    /** Forward hook, before everything else: every packet of a control connection, and those carrying data (IPv4, any TCP header length). */
    static final String COUNTERS = """
            table inet holdbench {
              chain control {
                type filter hook forward priority -400; policy accept;
                tcp sport { 21, 2121 } counter
                tcp dport { 21, 2121 } counter
                tcp sport { 21, 2121 } jump withdata
                tcp dport { 21, 2121 } jump withdata
              }
              chain withdata {
                tcp doff 5 ip length > 40 counter return
                tcp doff 6 ip length > 44 counter return
                tcp doff 7 ip length > 48 counter return
                tcp doff 8 ip length > 52 counter return
                tcp doff 9 ip length > 56 counter return
                tcp doff 10 ip length > 60 counter return
              }
            }
            """;

    /**
     * N sessions: login, PASV (timed to the 227), a data connection at once (to the control address,
     * or with trust=1 to the 227's own address, timed), RETR one.bin. One line per session:
     * "ok PASV_MS CONNECT_MS" or "fail PASV_MS - reason".
     */
    static final String CLIENT = """
            import socket, sys, time
            host, port, n, trust = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
            for _ in range(n):
                pasv_ms = "-"
                try:
                    s = socket.create_connection((host, port), timeout=10); f = s.makefile("rb")
                    def reply():
                        line = f.readline().decode().rstrip()
                        while len(line) > 3 and line[3] == "-":
                            line = f.readline().decode().rstrip()
                        return line
                    def cmd(c):
                        s.sendall((c + "\\r\\n").encode()); return reply()
                    reply(); cmd("USER anonymous"); cmd("PASS lab@"); cmd("TYPE I")
                    t0 = time.perf_counter(); r = cmd("PASV"); pasv_ms = "%.3f" % ((time.perf_counter() - t0) * 1000)
                    nums = [int(x) for x in r[r.index("(") + 1:r.index(")")].split(",")]
                    to = ".".join(str(x) for x in nums[:4]) if trust else host
                    t1 = time.perf_counter()
                    d = socket.create_connection((to, nums[4] * 256 + nums[5]), timeout=10)
                    connect_ms = "%.3f" % ((time.perf_counter() - t1) * 1000)
                    cmd("RETR one.bin")
                    got = 0
                    while True:
                        b = d.recv(65536)
                        if not b: break
                        got += len(b)
                    d.close(); reply(); cmd("QUIT"); s.close()
                    print("ok", pasv_ms, connect_ms, got, flush=True)
                except Exception as e:
                    print("fail", pasv_ms, "-", repr(e).replace(" ", "_"), flush=True)
            """;
}
