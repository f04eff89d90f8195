package io.ftpnat.lab;

import static java.lang.System.out;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repair latency (docs/benchmarks.md, "Session model"): in the reference lab, for each passive
 * session, the time from the server's 227 crossing the router's outside interface (tcpdump on r1)
 * to the expectation's NEW event (conntrack -E expect, timestamps from the same clock). Port 21:
 * a correct vsftpd, the kernel helper's own expectation. Port 2121: vsftpd with
 * pasv_address=198.51.100.9, the daemon's repair. Same run, alternating sessions. Also: how often
 * the client's first SYN came before the repair (its connect then takes the ~1 s retransmission),
 * and the daemon's CPU time per 1,000 observed sessions.
 */
public final class SessionLatencyBench {
    private SessionLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = 1000;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--sessions")) {
                sessions = Integer.parseInt(args[++i]);
            }
        }
        int rc = 1;
        try (ReferenceLab ref = ReferenceLab.create()) {
            run(ref, sessions);
            rc = 0;
        } catch (RuntimeException e) {
            out.println("BENCHMARK FAILED: " + e);
        }
        System.exit(rc);
    }

    static void run(ReferenceLab ref, int sessions) throws Exception {
        NamespaceLab lab = ref.lab();
        ref.startServer(ServerKind.VSFTPD, 21);
        lab.own(Vsftpd.start(lab, 2121, ReferenceLab.FILES,
                Map.of("pasv_address", "198.51.100.9", "pasv_addr_resolve", "NO", "listen", "YES", "listen_ipv6", "NO")));
        Daemon daemon = ref.startDaemon(ProjectHome.example("nonstandard-port.yaml"));
        Path events = lab.dir("bench").resolve("expect-events.log");
        BackgroundProcess watch = lab.own(lab.router().start("expect-events", events, "conntrack", "-E", "expect", "-o", "timestamp"));
        Thread.sleep(500);
        // a first round warms the daemon's JIT: CPU and latency are measured on the second
        Cmd.Result warm = lab.client().exec(Duration.ofMinutes(30), PythonFtpClient.python(), "-c",
                CLIENT.formatted(Topology.SERVER_V4, Math.max(1, sessions / 3)));
        if (warm.exit() != 0) {
            throw new LabException("the warm-up client failed: " + warm);
        }
        long cpuBefore = cpuMillis(daemon.pid());
        List<Pcap.Segment> segments;
        Cmd.Result r;
        try (PacketCapture cap = PacketCapture.start(lab, lab.router(), Topology.ROUTER_OUTSIDE_IF, "bench-r1")) {
            Thread.sleep(500);
            r = lab.client().exec(Duration.ofMinutes(60), PythonFtpClient.python(), "-c", CLIENT.formatted(Topology.SERVER_V4, sessions));
            Thread.sleep(1000);
            segments = cap.stop();
        }
        long cpuAfter = cpuMillis(daemon.pid());
        watch.close();
        if (r.exit() != 0) {
            throw new LabException("the client failed: " + r);
        }
        List<double[]> exp = new ArrayList<>(); // time, port, the master's client port
        Pattern ev = Pattern.compile("^\\[(\\d+\\.\\d+)\\].*\\[NEW\\].*? dport=(\\d+) .*master-src=\\S+ master-dst=\\S+ sport=(\\d+) ");
        for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
            Matcher m = ev.matcher(line.strip());
            if (m.find()) {
                exp.add(new double[] {Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
            }
        }
        if (exp.isEmpty()) {
            out.println("no expectation events parsed; the log starts: " + Files.readAllLines(events).stream().limit(3).toList());
        }
        List<Double> kernel = new ArrayList<>();
        List<Double> repair = new ArrayList<>();
        int unmatched = 0;
        Pattern pasv = Pattern.compile("^227 .*\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");
        for (Pcap.Segment s : segments) {
            if (!s.src().equals(Topology.SERVER_V4) || s.payload().length == 0) {
                continue;
            }
            Matcher m = pasv.matcher(new String(s.payload(), StandardCharsets.ISO_8859_1));
            if (!m.find()) {
                continue;
            }
            int port = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
            double[] hit = null;
            for (double[] e : exp) {
                // at r1 the 227 goes to the masqueraded client port, which masquerade keeps when it can
                if (e[1] == port && e[2] == s.dport() && e[0] >= s.time() - 0.0005 && e[0] < s.time() + 5) {
                    hit = e;
                    break;
                }
            }
            if (hit == null) {
                unmatched++;
                continue;
            }
            exp.remove(hit);
            (s.sport() == 21 ? kernel : repair).add((hit[0] - s.time()) * 1e6);
        }
        List<Integer> slow = new ArrayList<>();
        int connects = 0;
        for (String line : r.out().lines().toList()) {
            if (line.startsWith("connect ")) {
                String[] f = line.split(" ");
                connects++;
                if (f[1].equals("2121") && (f[2].equals("failed") || Double.parseDouble(f[2]) > 500)) {
                    slow.add(1);
                }
            }
        }
        out.printf("%d sessions per path, kernel %s, %d cores%n", sessions, Cmd.run("uname", "-r").out().trim(),
                Runtime.getRuntime().availableProcessors());
        out.printf("227 at r1 → expectation NEW event (µs):%n");
        out.printf("  kernel helper (correct 227, port 21):  %s%n", stats(kernel));
        out.printf("  ftpnatd repair (foreign 227, port 2121): %s%n", stats(repair));
        out.printf("  227s without a matching expectation event: %d%n", unmatched);
        out.printf("repaired sessions whose client SYN came first (connect > 500 ms, one SYN retransmission): %d of %d%n",
                slow.size(), repair.size());
        out.printf("daemon CPU during the measured run (after a warm-up third as long): %d ms for %d observed sessions = %.0f ms per 1,000 sessions (connects %d)%n",
                cpuAfter - cpuBefore, 2 * sessions, (cpuAfter - cpuBefore) * 1000.0 / (2 * sessions), connects);
    }

    private static String stats(List<Double> v) {
        if (v.isEmpty()) {
            return "no samples";
        }
        Collections.sort(v);
        return "n=%d p50 %.0f  p90 %.0f  p99 %.0f  max %.0f".formatted(v.size(), v.get(v.size() / 2),
                v.get((int) (v.size() * 0.9)), v.get(Math.min(v.size() - 1, (int) (v.size() * 0.99))), v.get(v.size() - 1));
    }

    /** utime + stime of a process, in milliseconds (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** Sessions alternating between port 21 and 2121: login, PASV, connect to the control address, QUIT. */
    static final String CLIENT = """
            import socket, time
            host, n = "%s", %d
            def session(port):
                s = socket.create_connection((host, port), timeout=10); f = s.makefile("rb")
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
                t = time.monotonic()
                try:
                    d = socket.create_connection((host, nums[4] * 256 + nums[5]), timeout=5)
                    print("connect", port, "%%.1f" %% ((time.monotonic() - t) * 1000), flush=True)
                    d.close()
                except OSError as e:
                    print("connect", port, "failed", e, flush=True)
                try:
                    cmd("QUIT")
                except OSError:
                    pass
                s.close()
            for i in range(n):
                session(21)
                session(2121)
            """;
}
