import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One run of the session model against FakeConntrackKernel (in-memory netlink, the real codec), for
 * scripts/bench-session-split.sh: N sessions observed through a login and a PASV; the 227 names the
 * server (the kernel helper's, its expectation in the table for the even sessions) except for
 * {@link #REPAIRED} sessions whose 227 names a foreign address, which the model repairs (within the
 * repair budget's burst of 100). Prints one line: observe µs/segment, repair µs each, first and steady reconcile ms.
 * Compiles against any version of the controller (the source launcher, one file).
 */
public final class SessionModelSplitBench {
    static final int REPAIRED = 100;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int steadyRuns = 5;
        FakeConntrackKernel fake = new FakeConntrackKernel();
        List<Conntrack> masters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Tuple orig = Tuple.tcp("10.%d.%d.%d".formatted(i >> 16 & 255, i >> 8 & 255, i & 255), 40000, "192.168.10.115", 21);
            masters.add(fake.add(new Conntrack(2, orig, Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000 + i % 20000),
                    Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
                    null, null, null, -1, 1)));
        }
        try (ConntrackClient c = new ConntrackClient(fake.transport())) {
            for (int i = 0; i < n; i += 2) { // the kernel helper's own expectation for the even sessions' 227
                Tuple o = masters.get(i).original();
                c.createExpectation(Expectation.create(o, Tuple.of(Tuple.TCP, o.src(), 0, o.dst(), 20000 + i), 300));
            }
        }
        SessionModel model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(fake.transport())), new RepairPlanner(1024));
        long t0 = System.nanoTime();
        model.reconcile(true, false);
        double first = (System.nanoTime() - t0) / 1e6;
        int segments = 0;
        long observeNanos = 0;
        long repairNanos = 0;
        for (int i = 0; i < n; i++) {
            Conntrack c = masters.get(i);
            long a = System.nanoTime();
            segments += login(model, c);
            observeNanos += System.nanoTime() - a;
            int port = 20000 + i;
            boolean foreign = i % 2 == 1 && i < 2 * REPAIRED; // a wrong pasv_address, repaired
            String ip = foreign ? "198,51,100,9" : "192,168,10,115";
            long b = System.nanoTime();
            server(model, c, 9100, "227 Entering Passive Mode (%s,%d,%d).\r\n".formatted(ip, port >> 8, port & 255));
            long took = System.nanoTime() - b;
            if (foreign) {
                repairNanos += took;
            } else {
                observeNanos += took;
                segments++;
            }
        }
        double[] t = new double[steadyRuns];
        for (int r = 0; r < steadyRuns; r++) {
            long a = System.nanoTime();
            model.reconcile(false, false);
            t[r] = (System.nanoTime() - a) / 1e6;
        }
        Arrays.sort(t);
        System.out.printf("observe_us_per_segment %.2f repair_us_each %.1f first_reconcile_ms %.0f steady_reconcile_ms %.0f repairs %d expectations %d%n",
                observeNanos / 1e3 / segments, repairNanos / 1e3 / REPAIRED, first, t[steadyRuns / 2], model.counters().repairs(),
                fake.expectations().size());
    }

    static int login(SessionModel model, Conntrack c) {
        String[][] talk = {{"s", "220 (vsFTPd 3.0.3)\r\n"}, {"c", "USER anonymous\r\n"}, {"s", "331 Please specify the password.\r\n"},
                {"c", "PASS lab@\r\n"}, {"s", "230 Login successful.\r\n"}, {"c", "TYPE I\r\n"}, {"s", "200 Switching to Binary mode.\r\n"},
                {"c", "PASV\r\n"}};
        long cs = 1000;
        long ss = 9000;
        for (String[] line : talk) {
            byte[] p = line[1].getBytes(StandardCharsets.ISO_8859_1);
            Tuple o = c.original();
            if (line[0].equals("c")) {
                model.onPacket(packet(o.src(), o.srcPort(), o.dst(), o.dstPort(), cs, p), -1);
                cs += p.length;
            } else {
                model.onPacket(packet(o.dst(), o.dstPort(), o.src(), o.srcPort(), ss, p), -1);
                ss += p.length;
            }
        }
        return talk.length;
    }

    /** The next server segment after the login: its sequence number follows the login's server bytes. */
    static void server(SessionModel model, Conntrack c, long unused, String line) {
        long seq = 9000 + "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n230 Login successful.\r\n200 Switching to Binary mode.\r\n".length();
        Tuple o = c.original();
        model.onPacket(packet(o.dst(), o.dstPort(), o.src(), o.srcPort(), seq, line.getBytes(StandardCharsets.ISO_8859_1)), -1);
    }

    static byte[] packet(IpAddress src, int sport, IpAddress dst, int dport, long seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + 32 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (52 + payload.length)).putInt(0x00004000).put((byte) 64).put((byte) 6).putShort((short) 0);
        b.put(src.toBytes()).put(dst.toBytes());
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(1).put((byte) 0x80).put((byte) 0x18)
                .putShort((short) 512).putInt(0).put(new byte[12]);
        b.put(payload);
        return b.array();
    }
}
