package io.ftpnat.session.bench;

import io.ftpnat.kernel.SessionKernel;
import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.session.ReconcileReport;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The session model's costs at scale (docs/benchmarks.md, "Session model"), run by
 * scripts/bench-sessions.sh inside a throw-away namespace that holds N real FTP control connections
 * (loopback, ftp helper attached by nft): reconcile time with the kernel's tables, the observer's
 * parse cost per 1,000 sessions, heap and RSS with every session tracked. Then the same reconcile
 * against FakeConntrackKernel with 10,000 expectations, which a namespace cannot hold
 * (nf_conntrack_expect_max is read-only outside the host's namespace: 4,096 here).
 */
public final class SessionBench {
    private SessionBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Conntrack> controls = new ArrayList<>();
        try (ConntrackClient c = ConntrackClient.open()) {
            c.dump(ConntrackFilter.all(), e -> {
                if (e.helper() != null && e.helper().startsWith("ftp") && e.original().dstPort() == 21) {
                    controls.add(e);
                }
            });
        }
        String expectMax = Files.readString(Path.of("/proc/sys/net/netfilter/nf_conntrack_expect_max")).trim();
        System.out.printf("real kernel: %d FTP control connections (helper ftp), nf_conntrack_expect_max %s%n", controls.size(), expectMax);
        // as many expectations as the namespace takes (its limit cannot be raised from inside it)
        int withExpectation = 0;
        long t0 = System.nanoTime();
        try (ConntrackClient c = ConntrackClient.open()) {
            for (int i = 0; i < controls.size(); i++) {
                Conntrack m = controls.get(i);
                try {
                    c.createExpectation(Expectation.create(m.original(), Tuple.of(Tuple.TCP, m.original().src(), 0, m.original().dst(), port(i)), 300));
                    withExpectation++;
                } catch (NetlinkException e) {
                    System.out.printf("the kernel refused expectation %d: %s%n", i + 1, e.getMessage());
                    break;
                }
            }
        }
        System.out.printf("created %d expectations in %.0f ms (%.1f µs each)%n", withExpectation, ms(t0), (System.nanoTime() - t0) / 1000.0 / Math.max(1, withExpectation));
        NetlinkSessionKernel kernel = new NetlinkSessionKernel(io.ftpnat.nativ.netlink.conntrack.ConntrackClient::open);
        SessionModel model = new SessionModel(kernel, new RepairPlanner(1024));
        t0 = System.nanoTime();
        ReconcileReport first = model.reconcile(true, false);
        System.out.printf("first reconcile (adopts every session): %.0f ms — %s%n", ms(t0), first);
        System.out.printf("steady reconcile, %d sessions (not observed), %d expectations: %s%n", controls.size(), withExpectation,
                timeReconciles(model, runs));

        // the observer: a typical passive session's control segments, in both directions
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        t0 = System.nanoTime();
        long segments = 0;
        for (int i = 0; i < controls.size(); i++) {
            segments += dialogue(model, controls.get(i), i < withExpectation ? port(i) : -1);
        }
        double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
        System.out.printf("observer (decode, reassemble, parse, plan), %d sessions, %d segments: %.0f ms CPU = %.1f ms CPU per 1,000 sessions"
                + " (%.1f µs per segment)%n", controls.size(), segments, cpuMs, cpuMs * 1000 / controls.size(), cpuMs * 1000 / segments);
        var counters = model.counters();
        System.out.printf("  model: %d tracked, %d observed, %d channels, %d repairs, %d refused%n", counters.tracked(), counters.observed(),
                counters.channels(), counters.repairs(), counters.refused());
        System.out.printf("steady reconcile, %d sessions (observed, each channel with its expectation): %s%n", controls.size(),
                timeReconciles(model, runs));
        memory(controls.size());
        kernel.close();

        fake(10_000, runs);
    }

    private static void fake(int n, int runs) throws NetlinkException {
        FakeConntrackKernel fake = new FakeConntrackKernel();
        List<Conntrack> masters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String client = "10.%d.%d.%d".formatted(i >> 16 & 255, i >> 8 & 255, i & 255);
            Tuple orig = Tuple.tcp(client, 40000, "192.168.10.115", 21);
            masters.add(fake.add(new Conntrack(2, orig, Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000 + i % 20000),
                    Status.CONFIRMED.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp", null, null, null, -1, 1)));
        }
        try (ConntrackClient c = new ConntrackClient(fake.transport())) {
            for (int i = 0; i < n; i++) {
                Tuple o = masters.get(i).original();
                c.createExpectation(Expectation.create(o, Tuple.of(Tuple.TCP, o.src(), 0, o.dst(), port(i)), 300));
            }
        }
        SessionKernel k = new NetlinkSessionKernel(() -> new ConntrackClient(fake.transport()));
        SessionModel model = new SessionModel(k, new RepairPlanner(1024));
        long t0 = System.nanoTime();
        model.reconcile(true, false);
        System.out.printf("%nFakeConntrackKernel (in-memory netlink, same codec): %d sessions, %d expectations%n", n, fake.expectations().size());
        System.out.printf("first reconcile: %.0f ms; steady reconcile: %s%n", ms(t0), timeReconciles(model, runs));
    }

    private static String timeReconciles(SessionModel model, int runs) throws NetlinkException {
        double[] t = new double[runs];
        ReconcileReport last = null;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            last = model.reconcile(false, false);
            t[i] = ms(t0);
        }
        Arrays.sort(t);
        return "median %.0f ms (min %.0f, max %.0f, %d runs; last: created %d, removed %d)".formatted(t[runs / 2], t[0], t[runs - 1], runs,
                last.created(), last.removed());
    }

    private static void memory(int sessions) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
        System.out.printf("memory with %d tracked sessions: heap used after GC %.1f MiB (%.1f KiB per session incl. the JVM's own), %s%n",
                sessions, heap.getUsed() / 1048576.0, heap.getUsed() / 1024.0 / sessions, rss);
    }

    static int port(int i) {
        return 20000 + i;
    }

    /** Feeds one session's login and a PASV (227 naming the server and {@code port}, or no PASV) as NFLOG copies. */
    private static int dialogue(SessionModel model, Conntrack c, int port) {
        Tuple o = c.original();
        long cs = 1000;
        long ss = 9000;
        String[][] talk = {
                {"s", "220 (vsFTPd 3.0.3)\r\n"}, {"c", "USER anonymous\r\n"}, {"s", "331 Please specify the password.\r\n"},
                {"c", "PASS lab@\r\n"}, {"s", "230 Login successful.\r\n"}, {"c", "PWD\r\n"}, {"s", "257 \"/\" is the current directory\r\n"},
                {"c", "TYPE I\r\n"}, {"s", "200 Switching to Binary mode.\r\n"}, {"c", "PASV\r\n"}};
        int n = 0;
        List<String[]> all = new ArrayList<>(List.of(talk));
        if (port > 0) {
            all.add(new String[] {"s", "227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n".formatted(port >> 8, port & 255)});
        } else {
            all.add(new String[] {"s", "500 no passive here\r\n"});
        }
        for (String[] line : all) {
            byte[] p = line[1].getBytes(StandardCharsets.ISO_8859_1);
            if (line[0].equals("c")) {
                model.onPacket(packet(o.src(), o.srcPort(), o.dst(), o.dstPort(), cs, p), -1);
                cs += p.length;
            } else {
                model.onPacket(packet(o.dst(), o.dstPort(), o.src(), o.srcPort(), ss, p), -1);
                ss += p.length;
            }
            n++;
        }
        return n;
    }

    private static byte[] packet(IpAddress src, int sport, IpAddress dst, int dport, long seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + 32 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (52 + payload.length)).putInt(0x00004000).put((byte) 64).put((byte) 6).putShort((short) 0);
        b.put(src.toBytes()).put(dst.toBytes());
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(1).put((byte) 0x80).put((byte) 0x18)
                .putShort((short) 512).putInt(0).put(new byte[12]);
        b.put(payload);
        return b.array();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
