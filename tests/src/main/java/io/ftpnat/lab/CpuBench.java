package io.ftpnat.lab;

import static java.lang.System.out;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The daemon's CPU cost (docs/benchmarks.md, "Daemon CPU", issue #14), in the reference lab with
 * ftpnatd running {@code docs/examples/reference-lab.yaml} (kernel-mode NAT, the helper on port 21):
 * <ol>
 *   <li><b>unrelated traffic</b>: CONNECTIONS TCP connections from the client to port 8080 of the
 *       server, through the router, while {@code conntrack -E} also listens in the router. CPU of
 *       both processes over the same window (from the start of the burst to 1 s after its end),
 *       the ratio per run; the daemon's CPU over an idle window of the same length just before,
 *       for reference;</li>
 *   <li><b>FTP sessions</b>: SESSIONS passive sessions through the kernel helper (login, PASV,
 *       data connection, QUIT) after a warm-up round; daemon CPU per 1,000 sessions.</li>
 * </ol>
 * CPU is the sum over the process's threads of {@code /proc/PID/task/TID/schedstat}'s time on
 * CPU (nanoseconds; threads that ended inside the window are not counted — the daemon starts
 * none during these runs, conntrack has one).
 */
public final class CpuBench {
    private CpuBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        int connections = 20_000;
        int sessions = 300;
        int rounds = 4;
        for (int i = 0; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                }
            }
        }
        int rc = 1;
        // the router's stateful firewall lets new connections to 21 (FTP) and 8080 (the unrelated load) through
        try (ReferenceLab ref = ReferenceLab.create(21, 8080)) {
            run(ref, runs, connections, sessions, rounds);
            rc = 0;
        } catch (RuntimeException e) {
            out.println("BENCHMARK FAILED: " + e);
        }
        System.exit(rc);
    }

    static void run(ReferenceLab ref, int runs, int connections, int sessions, int rounds) throws Exception {
        NamespaceLab lab = ref.lab();
        ref.startServer(ServerKind.VSFTPD, 21);
        Daemon daemon = ref.startDaemon(ProjectHome.example("reference-lab.yaml"));
        Path dir = lab.dir("cpu-bench");
        BackgroundProcess sink = lab.own(lab.server().start("sink", dir.resolve("sink.log"), "python3", "-c", SINK));
        sink.awaitLine(java.util.regex.Pattern.compile("listening"), Duration.ofSeconds(10));
        out.printf("== kernel %s, %d cores, load %s%n", Cmd.run("uname", "-r").out().trim(),
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
        // warm-up: one small burst (JIT of whatever the daemon does on the path; conntrack's page cache)
        burst(lab, Math.min(2000, connections));
        lab.router().exec("conntrack", "-F");
        Thread.sleep(1000);

        out.printf("%n== %d unrelated TCP connections per run (client -> %s:8080 through the router), %d runs%n",
                connections, Topology.SERVER_V4, runs);
        out.println("| run | connections/s | conntrack -E CPU ms | ftpnatd CPU ms | ratio | ftpnatd idle CPU ms (a window as long, right after) |");
        out.println("|---|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> refs = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            try (BackgroundProcess events = lab.router().start("conntrack-E", dir.resolve("events-" + run + ".log"), "conntrack", "-E")) {
                Thread.sleep(500);
                long t0 = System.nanoTime();
                double d0 = cpuMillis(daemon.pid());
                double c0 = cpuMillis(events.pid());
                long seconds = burst(lab, connections);
                Thread.sleep(1000);
                double d1 = cpuMillis(daemon.pid());
                double c1 = cpuMillis(events.pid());
                long window = (System.nanoTime() - t0) / 1_000_000;
                // the daemon's idle cost over a window as long, for reference (nothing happening)
                double i0 = cpuMillis(daemon.pid());
                Thread.sleep(Math.min(window, 15_000));
                double i1 = cpuMillis(daemon.pid());
                double ratio = (d1 - d0) / (c1 - c0);
                ratios.add(ratio);
                ours.add(d1 - d0);
                refs.add(c1 - c0);
                out.printf("| %d | %.0f | %.0f | %.0f | %.3f | %.0f |%n", run, connections * 1e9 / Math.max(1, seconds),
                        c1 - c0, d1 - d0, ratio, i1 - i0);
            }
            lab.router().exec("conntrack", "-F");
            Thread.sleep(1000);
        }
        out.printf("median: conntrack -E %.0f ms, ftpnatd %.0f ms, per-run ratio median **%.3f** (range %.3f-%.3f)%n",
                median(refs), median(ours), median(ratios), Collections.min(ratios), Collections.max(ratios));

        out.printf("%n== FTP sessions through the kernel helper (client -> %s:21, passive), daemon CPU%n", Topology.SERVER_V4);
        out.println("| round | sessions | data connections made | ftpnatd CPU ms | CPU ms per 1,000 sessions | of which JIT compiler threads, per 1,000 |");
        out.println("|---|---|---|---|---|---|");
        // round 0 warms the daemon's JIT (its compiler threads' CPU is in the row); the median is over the rounds after it
        double w0 = cpuMillis(daemon.pid());
        Cmd.Result warm = lab.client().exec(Duration.ofMinutes(10), PythonFtpClient.python(), "-c",
                FTP_CLIENT.formatted(Topology.SERVER_V4, sessions));
        Thread.sleep(1000);
        double w1 = cpuMillis(daemon.pid());
        if (warm.exit() != 0) {
            throw new LabException("the warm-up client failed: " + warm);
        }
        out.printf("| 0 (warm-up) | %d | %d | %.0f | %.0f | |%n", sessions, warm.out().lines().filter(l -> l.startsWith("connect ok")).count(),
                w1 - w0, (w1 - w0) * 1000 / sessions);
        List<Double> perThousand = new ArrayList<>();
        java.util.Map<String, Double> threads0 = null;
        java.util.Map<String, Double> threads1 = null;
        List<Double> withoutJit = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            threads0 = threadMillis(daemon.pid());
            double d0 = cpuMillis(daemon.pid());
            Cmd.Result r = lab.client().exec(Duration.ofMinutes(10), PythonFtpClient.python(), "-c",
                    FTP_CLIENT.formatted(Topology.SERVER_V4, sessions));
            Thread.sleep(1000);
            double d1 = cpuMillis(daemon.pid());
            threads1 = threadMillis(daemon.pid());
            if (r.exit() != 0) {
                throw new LabException("the FTP client failed: " + r);
            }
            long ok = r.out().lines().filter(l -> l.startsWith("connect ok")).count();
            double jit = compilerMillis(threads1) - compilerMillis(threads0);
            perThousand.add((d1 - d0) * 1000 / sessions);
            withoutJit.add((d1 - d0 - jit) * 1000 / sessions);
            out.printf("| %d | %d | %d | %.0f | %.0f | %.0f |%n", round, sessions, ok, d1 - d0, (d1 - d0) * 1000 / sessions,
                    jit * 1000 / sessions);
        }
        out.printf("median: **%.0f ms of daemon CPU per 1,000 observed FTP sessions** (%.0f ms without the JIT compiler threads)%n",
                median(perThousand), median(withoutJit));
        // the profile: where the last round's CPU went, by thread (JIT and GC threads included)
        java.util.Map<String, Double> before = threads0;
        out.println("last round by daemon thread (ms): " + threads1.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 1).sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .map(e -> e.getKey() + " " + Math.round(e.getValue())).toList());
        String keep = System.getProperty("cpubench.daemonLog");
        if (keep != null) { // for profiling: the daemon's log outlives the lab
            Files.writeString(Path.of(keep), daemon.log());
        }
        out.printf("daemon log: %d lines in all%n", daemon.log().lines().count());
        var st = daemon.ctl("status");
        out.println("daemon status after the runs (excerpt): "
                + st.out().lines().filter(l -> l.contains("session") || l.contains("lost") || l.contains("event")).limit(6).toList());
    }

    /** CONNECTIONS sequential connections from the client to the sink; returns the burst's duration (ns). */
    private static long burst(NamespaceLab lab, int connections) {
        long t = System.nanoTime();
        Cmd.Result r = lab.client().exec(Duration.ofMinutes(5), "python3", "-c", BURST.formatted(Topology.SERVER_V4, connections));
        if (r.exit() != 0) {
            throw new LabException("the connection burst failed: " + r);
        }
        return System.nanoTime() - t;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get((s.size() - 1) / 2);
    }

    /** Time on CPU of every thread of a process, in milliseconds (schedstat: nanoseconds). */
    static double cpuMillis(long pid) throws IOException {
        long ns = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks) {
                try {
                    ns += Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                } catch (IOException gone) {
                    // the thread ended between listing and reading
                }
            }
        }
        return ns / 1e6;
    }

    static double compilerMillis(java.util.Map<String, Double> threads) {
        return threads.entrySet().stream().filter(e -> e.getKey().contains("Compiler")).mapToDouble(java.util.Map.Entry::getValue).sum();
    }

    /** CPU ms per thread name (threads of one name summed). */
    static java.util.Map<String, Double> threadMillis(long pid) throws IOException {
        java.util.Map<String, Double> m = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "#");
                    m.merge(name, Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]) / 1e6, Double::sum);
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return m;
    }

    /** The server side of the unrelated connections: accept and close, forever (the lab ends it). */
    static final String SINK = """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", 8080)); s.listen(4096); print("listening", flush=True)
            while True:
                c, _ = s.accept(); c.close()
            """;

    /** N connections, one after the other: connect, wait for the server's close, close. */
    static final String BURST = """
            import socket
            host, n = "%s", %d
            for i in range(n):
                c = socket.create_connection((host, 8080), timeout=5)
                c.recv(1); c.close()
            """;

    /** Passive sessions to port 21: login, PASV, connect the data connection, QUIT. */
    static final String FTP_CLIENT = """
            import socket
            host, n = "%s", %d
            for i in range(n):
                s = socket.create_connection((host, 21), timeout=10); f = s.makefile("rb")
                def reply():
                    line = f.readline().decode().rstrip()
                    while len(line) > 3 and line[3] == "-":
                        line = f.readline().decode().rstrip()
                    return line
                def cmd(c):
                    s.sendall((c + "\\r\\n").encode()); return reply()
                reply()
                if cmd("USER anonymous").startswith("331"): cmd("PASS lab@")
                r = cmd("PASV")
                nums = [int(x) for x in r[r.index("(") + 1:r.index(")")].split(",")]
                try:
                    d = socket.create_connection((host, nums[4] * 256 + nums[5]), timeout=5); d.close()
                    print("connect ok", flush=True)
                except OSError as e:
                    print("connect failed", e, flush=True)
                try:
                    cmd("QUIT")
                except OSError:
                    pass
                s.close()
            """;
}
