package io.ftpnat.lab;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ALG benchmark (docs/benchmarks.md, "Userspace ALG"): the proxied path against the kernel
 * helper in one lab and one run. The router publishes two vsftpd instances on 10.10.10.1 — port
 * 21 with {@code mode: proxy}, port 2121 with {@code mode: kernel} — so every comparison is the
 * same client, server and file, a different control path:
 *
 * <ol>
 *   <li>a large passive download (curl to /dev/null), rounds interleaved;</li>
 *   <li>control-command latency: N NOOPs in one logged-in session, p50/p99;</li>
 *   <li>sessions per second: threads opening sessions (banner, USER, PASS, QUIT) for a while;</li>
 *   <li>the daemon's RSS idle and with many concurrent proxied sessions (a scripted threaded
 *       server on 2122 behind a third, proxied published port, each session logged in with a
 *       passive channel).</li>
 * </ol>
 * Usage: {@code ProxyBench [--size-mib N] [--runs N] [--noops N] [--sessions N]}.
 */
public final class ProxyBench {
    private static final PrintStream out = System.out;

    static final String POLICY = """
            version: 1
            proxy:
              max_sessions: 12000
              max_sessions_per_client: 12000
              data_ports: 30000-59999
            dnat:
              - name: proxied
                in_interface: r0
                destination: 10.10.10.1
                port: 21
                to: 192.168.10.115
                mode: proxy
              - name: kernel
                in_interface: r0
                destination: 10.10.10.1
                port: 2121
                to: 192.168.10.115
                mode: kernel
              - name: many
                in_interface: r0
                destination: 10.10.10.1
                port: 2122
                to: 192.168.10.115
                mode: proxy
            """;

    public static void main(String[] args) {
        long sizeMiB = 1024;
        int runs = 3;
        int noops = 2000;
        int sessions = 1000;
        for (int i = 0; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--size-mib" -> sizeMiB = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--noops" -> noops = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                default -> { }
            }
        }
        int rc;
        try (ReferenceLab ref = ReferenceLab.create()) {
            run(ref, sizeMiB << 20, runs, noops, sessions);
            rc = 0;
        } catch (RuntimeException | java.io.IOException e) {
            out.println("BENCHMARK FAILED: " + e.getMessage());
            rc = 1;
        }
        out.println("lab torn down");
        System.exit(rc);
    }

    static void run(ReferenceLab ref, long size, int runs, int noops, int sessions) throws java.io.IOException {
        NamespaceLab lab = ref.lab();
        FtpServer proxiedServer = ref.startServer(ServerKind.VSFTPD, 21);
        FtpServer kernelServer = lab.own(Vsftpd.start(lab, 2121, Map.of()));
        ServedFile.sparse(proxiedServer.root(), "big.bin", size);
        ServedFile.sparse(kernelServer.root(), "big.bin", size);
        BackgroundProcess many = lab.own(lab.server().start("scripted server", lab.dir("bench").resolve("many.log"),
                PythonFtpClient.python(), resource("many_sessions.py").toString(), "serve", "2122"));
        many.awaitLine(Pattern.compile("listening"), Duration.ofSeconds(20));
        Path policy = lab.dir("bench").resolve("proxy-bench.yaml");
        Files.writeString(policy, POLICY);
        ref.startDaemon(policy);
        String pub = Topology.ROUTER_INSIDE_V4;

        out.printf("ftpnat ALG benchmark: proxied (mode: proxy, 10.10.10.1:21) vs kernel helper (mode: kernel, 10.10.10.1:2121),"
                + " same vsftpd config, one run%n");
        out.println("kernel " + Cmd.run("uname", "-r").out().trim() + ", " + Runtime.getRuntime().availableProcessors() + " cores, load "
                + Cmd.run("cat", "/proc/loadavg").out().trim() + "\n");

        // 1. throughput (--size-mib 0 skips it; --noops 0 the latency, --sessions 0 the many sessions)
        if (size > 0) {
        Bench.once("warm-up proxied", ref, proxiedServer, pub, 21, DataMode.PASV, size);
        Bench.once("warm-up kernel", ref, kernelServer, pub, 2121, DataMode.PASV, size);
        List<Double> proxied = new ArrayList<>();
        List<Double> kernel = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            // interleaved, the order flipped every round, so neither path always runs second
            if (r % 2 == 0) {
                proxied.add(Bench.once("proxied", ref, proxiedServer, pub, 21, DataMode.PASV, size));
                kernel.add(Bench.once("kernel", ref, kernelServer, pub, 2121, DataMode.PASV, size));
            } else {
                kernel.add(Bench.once("kernel", ref, kernelServer, pub, 2121, DataMode.PASV, size));
                proxied.add(Bench.once("proxied", ref, proxiedServer, pub, 21, DataMode.PASV, size));
            }
            out.printf("  round %d: proxied %.2f GB/s, kernel helper %.2f GB/s%n", r + 1, proxied.get(r) / 1e9, kernel.get(r) / 1e9);
        }
        double pm = median(proxied);
        double km = median(kernel);
        List<Double> perRound = new ArrayList<>();
        for (int r = 0; r < runs; r++) perRound.add(proxied.get(r) / kernel.get(r));
        out.printf("%d MiB passive download: proxied median %.2f GB/s, kernel helper median %.2f GB/s: %.2fx (per-round median %.2fx;"
                + " target >= 0.90x)%n%n", size >> 20, pm / 1e9, km / 1e9, pm / km, median(perRound));
        }

        // 2. control latency: one unmeasured session per path first (the daemon's JIT warms up as a
        // long-running daemon's has), then rounds interleaved, the order flipped every round
        if (noops > 0) {
        control(ref, "latency", pub, 21, proxiedServer, Integer.toString(noops));
        control(ref, "latency", pub, 2121, kernelServer, Integer.toString(noops));
        List<Double> addedP50 = new ArrayList<>();
        List<Double> addedP99 = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            String lp;
            String lk;
            if (r % 2 == 0) {
                lp = control(ref, "latency", pub, 21, proxiedServer, Integer.toString(noops));
                lk = control(ref, "latency", pub, 2121, kernelServer, Integer.toString(noops));
            } else {
                lk = control(ref, "latency", pub, 2121, kernelServer, Integer.toString(noops));
                lp = control(ref, "latency", pub, 21, proxiedServer, Integer.toString(noops));
            }
            double[] p = numbers(lp);
            double[] k = numbers(lk);
            addedP50.add(p[0] - k[0]);
            addedP99.add(p[1] - k[1]);
            out.printf("  round %d, NOOP round trip (%d in one session), ms: proxied %s; kernel %s; added p50 %+.3f, p99 %+.3f%n", r + 1,
                    noops, lp, lk, p[0] - k[0], p[1] - k[1]);
        }
        out.printf("NOOP: added by the ALG, median of %d rounds: p50 %+.3f ms, p99 %+.3f ms (targets <= 0.1 / <= 0.5)%n", runs,
                median(addedP50), median(addedP99));
        // PASV: the ALG also withdraws the previous channel and installs one (an nft element)
        int pasvs = Math.max(100, noops / 5);
        String pp = control(ref, "latency", pub, 21, proxiedServer, Integer.toString(pasvs), "PASV");
        String pk = control(ref, "latency", pub, 2121, kernelServer, Integer.toString(pasvs), "PASV");
        out.printf("PASV round trip (%d in one session), ms:   proxied %s%n%46s kernel  %s%n", pasvs, pp, "", pk);
        double[] q = numbers(pp);
        double[] r2 = numbers(pk);
        out.printf("added by the ALG: p50 %+.3f ms, p99 %+.3f ms%n%n", q[0] - r2[0], q[1] - r2[1]);
        }

        // 3. sessions per second: a warm-up each, then rounds interleaved, the order flipped
        control(ref, "rate", pub, 21, proxiedServer, "2", "8");
        control(ref, "rate", pub, 2121, kernelServer, "2", "8");
        List<Double> rateRatio = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            String rp;
            String rk;
            if (r % 2 == 0) {
                rp = control(ref, "rate", pub, 21, proxiedServer, "5", "8");
                rk = control(ref, "rate", pub, 2121, kernelServer, "5", "8");
            } else {
                rk = control(ref, "rate", pub, 2121, kernelServer, "5", "8");
                rp = control(ref, "rate", pub, 21, proxiedServer, "5", "8");
            }
            double ratio = rateOf(rp) / rateOf(rk);
            rateRatio.add(ratio);
            out.printf("  round %d, sessions/s (8 threads, 5 s, vsftpd: banner, USER, PASS, QUIT): proxied %s; kernel %s: %.2fx%n", r + 1,
                    rp, rk, ratio);
        }
        out.printf("session setup rate, proxied / kernel helper, median of %d rounds: %.2fx (target >= 0.90x)%n%n", runs,
                median(rateRatio));

        // 4. RSS with many sessions
        if (sessions <= 0) {
            return;
        }
        long idle = rss(ref);
        BackgroundProcess clients = lab.own(lab.client().start("many sessions", lab.dir("bench").resolve("clients.log"),
                PythonFtpClient.python(), resource("many_sessions.py").toString(), "open", pub, "2122", Integer.toString(sessions), "5"));
        String held = clients.awaitLine(Pattern.compile("^held \\d+"), Duration.ofSeconds(300));
        long busy = rss(ref);
        String threads = threads(ref);
        clients.awaitExit(Duration.ofSeconds(300));
        String failures = clients.log().lines().filter(l -> l.startsWith("failures")).findFirst().orElse("failures: (none printed)");
        out.printf("ftpnatd RSS: %d MiB idle (after the runs above), %d MiB with %s concurrent proxied sessions (%s), each with a"
                + " passive channel; %s; daemon threads %s; heap limit: the launcher's (bin/ftpnatd)%n", idle / 1024, busy / 1024,
                held.split(" ")[1], held, failures, threads);
        out.println("load average at the end: " + Cmd.run("cat", "/proc/loadavg").out().trim());
    }

    static String control(ReferenceLab ref, String what, String host, int port, FtpServer server, String... more) {
        List<String> argv = new ArrayList<>(List.of(PythonFtpClient.python(), resource("control_bench.py").toString(), what, host,
                Integer.toString(port), server.user(), server.password()));
        argv.addAll(List.of(more));
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(180), argv.toArray(String[]::new));
        if (!r.ok()) throw new LabException(what + " via port " + port + " failed: " + r);
        return r.out().trim().replaceFirst("^(latency|rate) ", "");
    }

    static long rss(ReferenceLab ref) {
        // the daemon is the java process in the router namespace whose command line runs io.ftpnat.daemon.Ftpnatd
        Cmd.Result ps = Cmd.run("ip", "netns", "pids", ref.lab().router().name());
        for (String pid : ps.out().trim().split("\\s+")) {
            Cmd.Result cmdline = Cmd.run("cat", "/proc/" + pid + "/cmdline");
            if (cmdline.out().contains("io.ftpnat.daemon.Ftpnatd")) {
                Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Cmd.run("cat", "/proc/" + pid + "/status").out());
                if (rss.find()) return Long.parseLong(rss.group(1));
            }
        }
        return -1;
    }

    static double rateOf(String rate) {
        Matcher m = Pattern.compile("([0-9.]+) sessions/s").matcher(rate);
        if (!m.find()) throw new LabException("no rate in " + rate);
        return Double.parseDouble(m.group(1));
    }

    /** The daemon's thread count (/proc/PID/status), or "?". */
    static String threads(ReferenceLab ref) {
        Cmd.Result ps = Cmd.run("ip", "netns", "pids", ref.lab().router().name());
        for (String pid : ps.out().trim().split("\\s+")) {
            if (Cmd.run("cat", "/proc/" + pid + "/cmdline").out().contains("io.ftpnat.daemon.Ftpnatd")) {
                Matcher t = Pattern.compile("Threads:\\s+(\\d+)").matcher(Cmd.run("cat", "/proc/" + pid + "/status").out());
                if (t.find()) return t.group(1);
            }
        }
        return "?";
    }

    static double[] numbers(String latency) {
        Matcher m = Pattern.compile("p50 ([0-9.]+) p99 ([0-9.]+)").matcher(latency);
        if (!m.find()) throw new LabException("no latency in " + latency);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(ProxyBench.class.getResource("/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
