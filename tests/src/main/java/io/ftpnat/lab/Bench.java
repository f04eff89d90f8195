package io.ftpnat.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data-plane benchmark: one large FTP download (default 1 GiB, a sparse file served from the
 * page cache, written to /dev/null) through the reference lab's router, by each path in one run:
 *
 * <ol>
 *   <li>kernel helper + DNAT, passive (ftpnatd with docs/examples/reference-lab.yaml, the lab firewall on);</li>
 *   <li>kernel helper + SNAT, active (same);</li>
 *   <li>a userspace relay: socat in the router relaying the control and the data connection
 *       (a second vsftpd advertising 10.10.10.1 and one passive port);</li>
 *   <li>plain routing: no nftables table at all in the router (no NAT, no conntrack), the client
 *       talking to the server's own address;</li>
 *   <li>iperf3 over plain routing, for reference.</li>
 * </ol>
 *
 * Each path runs {@code --runs} times, interleaved (the order of the paths reversed every other
 * round) after one unmeasured round of all; every run and the median are reported, and ratios
 * against plain routing (never a best-of-N).
 * Usage: {@code Bench [--size-mib N] [--runs N]}.
 */
public final class Bench {
    private static final PrintStream out = System.out;

    /** A stateful router that NATs nothing: conntrack runs for every forwarded packet. */
    static final String CONNTRACK_ONLY = """
            table inet bench_conntrack {
              chain forward {
                type filter hook forward priority filter; policy accept;
                ct state established,related accept
                ct state new accept
              }
            }
            """;

    record Result(String path, List<Double> bytesPerSecond) {
        double median() {
            List<Double> s = new ArrayList<>(bytesPerSecond);
            s.sort(null);
            return s.isEmpty() ? 0 : s.get(s.size() / 2);
        }
    }

    public static void main(String[] args) {
        long sizeMiB = 1024;
        int runs = 5;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--size-mib")) sizeMiB = Long.parseLong(args[++i]);
            else if (args[i].equals("--runs")) runs = Integer.parseInt(args[++i]);
        }
        int rc;
        try (ReferenceLab ref = ReferenceLab.create()) {
            rc = run(ref, sizeMiB << 20, runs) ? 0 : 1;
        } catch (RuntimeException e) {
            out.println("BENCHMARK FAILED: " + e.getMessage());
            rc = 1;
        }
        out.println("lab torn down");
        System.exit(rc);
    }

    static boolean run(ReferenceLab ref, long size, int runs) {
        NamespaceLab lab = ref.lab();
        FtpServer server = ref.startServer(ServerKind.VSFTPD, 21);
        ServedFile.sparse(server.root(), "big.bin", size);
        // the relayed server: advertises the router's inside address and a single passive port
        Vsftpd relayed = lab.own(Vsftpd.start(lab, 2100, Map.of(), Map.of("pasv_address", Topology.ROUTER_INSIDE_V4,
                "pasv_addr_resolve", "NO", "pasv_min_port", "41000", "pasv_max_port", "41000")));
        ServedFile.sparse(relayed.root(), "big.bin", size);
        ref.startDaemon(ProjectHome.example("reference-lab.yaml"));

        out.printf("ftpnat data-plane benchmark: %d MiB FTP download (curl → /dev/null, vsftpd sendfile), %d runs per path, median%n",
                size >> 20, runs);
        out.println("kernel " + Cmd.run("uname", "-r").out().trim() + ", " + Runtime.getRuntime().availableProcessors() + " cores\n");

        for (int port : new int[] {2100, 41000}) {
            lab.own(lab.router().start("socat relay " + port, lab.dir("bench").resolve("socat-" + port + ".log"),
                    "socat", "-b", "262144", "TCP-LISTEN:" + port + ",bind=" + Topology.ROUTER_INSIDE_V4 + ",reuseaddr,fork",
                    "TCP:" + Topology.SERVER_V4 + ":" + port));
        }
        awaitListening(lab.router(), 2100);
        awaitListening(lab.router(), 41000);

        // Rounds interleave the paths, so a noisy neighbour on the shared cores hits them alike.
        Map<String, Result> results = new LinkedHashMap<>();
        String kernel = "FTP passive, kernel helper + DNAT (ftpnatd)";
        String active = "FTP active, kernel helper + SNAT (ftpnatd)";
        String relay = "FTP passive, userspace relay (socat in the router)";
        String kernelOnly = "FTP passive, kernel helper + DNAT, ftpnat table only";
        String conntrackOnly = "FTP passive, routing + conntrack (accept-all, no NAT)";
        String plainPath = "FTP passive, plain routing (no NAT, no firewall)";
        for (String k : List.of(kernel, active, kernelOnly, relay, conntrackOnly, plainPath)) {
            results.put(k, new Result(k, new ArrayList<>()));
        }
        // Each path sets up the router state it needs, so the paths can run in any order: rounds
        // interleave them, in the listed order in odd rounds and reversed in even ones, after one
        // unmeasured round of every path (page cache, ARP/ND, socket buffers, the same warm-up for all).
        Runnable production = () -> {
            // the router as it runs in production: its firewall and ftpnatd's table, applied by the daemon
            lab.router().run("nft", "flush", "ruleset");
            LabFirewall.install(lab.router(), 21, 2121);
            ref.startDaemon(ProjectHome.example("reference-lab.yaml"));
            ref.daemon().stop(); // the table stays: the kernel does the work, not the daemon
        };
        Runnable ftpnatTableOnly = () -> {
            production.run();
            lab.router().run("nft", "delete", "table", "inet", LabFirewall.TABLE);
        };
        Runnable conntrackOnlyTable = () -> {
            lab.router().run("nft", "flush", "ruleset");
            Cmd.runWithInput(Cmd.DEFAULT_TIMEOUT, CONNTRACK_ONLY, Cmd.prefixNs(lab.router().name(), "nft", "-f", "-")).check();
        };
        Runnable noTables = () -> lab.router().run("nft", "flush", "ruleset");
        record Step(String label, Runnable setup, java.util.function.DoubleSupplier measure) {}
        List<Step> steps = List.of(
                new Step(kernel, production, () -> once(kernel, ref, server, Topology.ROUTER_INSIDE_V4, 21, DataMode.PASV, size)),
                new Step(active, production, () -> once(active, ref, server, Topology.SERVER_V4, 21, DataMode.PORT, size)),
                // the cost of the router's own firewall, apart from ftpnat's: its table removed
                new Step(kernelOnly, ftpnatTableOnly, () -> once(kernelOnly, ref, server, Topology.ROUTER_INSIDE_V4, 21, DataMode.PASV, size)),
                new Step(relay, ftpnatTableOnly, () -> once(relay, ref, relayed, Topology.ROUTER_INSIDE_V4, 2100, DataMode.PASV, size)),
                // the cost of connection tracking alone: one accept-all stateful rule, no NAT, no helper
                new Step(conntrackOnly, conntrackOnlyTable, () -> once(conntrackOnly, ref, server, Topology.SERVER_V4, 21, DataMode.PASV, size)),
                // plain routing: every table gone — the router only forwards (no NAT, no conntrack)
                new Step(plainPath, noTables, () -> once(plainPath, ref, server, Topology.SERVER_V4, 21, DataMode.PASV, size)));
        ref.daemon().stop();
        for (Step step : steps) {
            step.setup().run();
            step.measure().getAsDouble();
        }
        for (int round = 0; round < runs; round++) {
            List<Step> order = new ArrayList<>(steps);
            if (round % 2 == 1) java.util.Collections.reverse(order);
            for (Step step : order) {
                step.setup().run();
                results.get(step.label()).bytesPerSecond().add(step.measure().getAsDouble());
            }
            out.printf("  round %d (%s order): %s%n", round + 1, round % 2 == 1 ? "reversed" : "listed", String.join("  ", results.values().stream()
                    .map(r -> String.format("%.2f", r.bytesPerSecond().get(r.bytesPerSecond().size() - 1) / 1e9)).toList()) + " GB/s");
        }
        noTables.run(); // iperf3 below measures plain routing
        Result iperf = iperf(ref, runs);
        if (iperf != null) results.put("iperf3", iperf);

        Result plain = results.get(plainPath);
        out.printf("%n%-52s %10s %9s   %s%n", "path (GB/s = 10^9 bytes/s)", "median", "x plain", "every run");
        for (Result r : results.values()) {
            out.printf("%-52s %10.2f %9.2f   %s%n", r.path(), r.median() / 1e9, r.median() / plain.median(),
                    r.bytesPerSecond().stream().map(b -> String.format("%.2f", b / 1e9)).toList());
        }
        // the same comparison round by round (each pair measured under the same background load)
        List<Double> perRound = new ArrayList<>();
        for (int i = 0; i < plain.bytesPerSecond().size(); i++) {
            perRound.add(results.get(kernel).bytesPerSecond().get(i) / plain.bytesPerSecond().get(i));
        }
        double pairedMedian = new Result("", perRound).median();
        double ratioMedian = results.get(kernel).median() / plain.median();
        out.printf("%nFTP through ftpnat (kernel helper + DNAT) / plain routing: median %.2fx, per-round median %.2fx, rounds %s"
                + " (target >= 0.90x)%n", ratioMedian, pairedMedian, perRound.stream().map(x -> String.format("%.2f", x)).toList());
        out.printf("routing + conntrack only / plain routing: median %.2fx; kernel helper + DNAT / routing + conntrack: median %.2fx%n",
                results.get(conntrackOnly).median() / plain.median(), results.get(kernel).median() / results.get(conntrackOnly).median());
        out.printf("userspace relay / kernel helper path: median %.2fx%n", results.get(relay).median() / results.get(kernel).median());
        out.println("load average at the end: " + Cmd.run("cat", "/proc/loadavg").out().trim());
        return true;
    }

    /** One download of big.bin; returns bytes per second as curl measured it. */
    static double once(String label, ReferenceLab ref, FtpServer server, String host, int port, DataMode mode, long size) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "120", "-u", server.user() + ":" + server.password(),
                "-o", "/dev/null", "-w", "%{size_download} %{speed_download}"));
        argv.addAll(mode == DataMode.PORT ? List.of("-P", "-", "--disable-eprt") : List.of("--disable-epsv"));
        argv.add("ftp://" + host + ":" + port + "/big.bin");
        Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(130), argv.toArray(String[]::new));
        String[] w = r.out().trim().split("\\s+");
        if (!r.ok() || w.length < 2 || Long.parseLong(w[0]) != size) {
            throw new LabException(label + ": download failed or short: " + r);
        }
        return Double.parseDouble(w[1]);
    }

    static Result iperf(ReferenceLab ref, int runs) {
        if (!Cmd.onPath("iperf3")) return null;
        List<Double> speeds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            try (BackgroundProcess s = ref.lab().server().start("iperf3 -s", ref.lab().dir("bench").resolve("iperf3-" + i + ".log"),
                    "iperf3", "-s", "-1", "-B", Topology.SERVER_V4)) {
                awaitListening(ref.lab().server(), 5201);
                Cmd.Result r = ref.lab().client().exec(Duration.ofSeconds(30), "iperf3", "-c", Topology.SERVER_V4, "-t", "3", "-f", "g");
                var m = java.util.regex.Pattern.compile("([0-9.]+) Gbits/sec\\s+receiver").matcher(r.out());
                if (!r.ok() || !m.find()) throw new LabException("iperf3 failed: " + r);
                speeds.add(Double.parseDouble(m.group(1)) * 1e9 / 8);
            }
        }
        Result res = new Result("iperf3 TCP, plain routing (reference)", speeds);
        out.printf("  %-55s %.2f GB/s%n", res.path(), res.median() / 1e9);
        return res;
    }

    static void awaitListening(Namespace ns, int port) {
        for (int i = 0; i < 100; i++) {
            Cmd.Result r = ns.exec("ss", "-Hltn", "sport = :" + port);
            if (r.ok() && !r.out().isBlank()) return;
            BackgroundProcess.sleep(50);
        }
        throw new LabException("nothing listens on " + port + " in " + ns);
    }
}
