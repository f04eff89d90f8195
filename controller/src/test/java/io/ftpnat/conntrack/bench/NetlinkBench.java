package io.ftpnat.conntrack.bench;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

import io.ftpnat.conntrack.ConntrackLine;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;

/**
 * Benchmark driver for scripts/bench-netlink.sh; runs inside the benchmark's namespace
 * ({@code ip netns exec NS java ...}), so its sockets are there. Controller test sources, because
 * the dump does the work {@code conntrack -L} does: dump, decode, format every entry as its line
 * ({@link ConntrackLine}) and write it out (to /dev/null, buffered, as conntrack's stdout is).
 *
 * <pre>
 * dump ITERATIONS          after the same warm-up for both sides (5 runs each), ITERATIONS pairs
 *                          of {@code conntrack -L} and our dump+decode+format+write, the order
 *                          flipped every pair (0: one dump in a fresh JVM, then exit); prints
 *                          every run, the medians, and heap bytes allocated per entry
 * events FILE N RCVBUF     a ConntrackMonitor (NEW events, receive buffer RCVBUF) while
 *                          `conntrack -R FILE` loads N entries with source addresses 11.0.0.0 + i;
 *                          every entry must be seen, by event or by a resync snapshot after ENOBUFS
 * </pre>
 */
public final class NetlinkBench {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "dump" -> dump(Integer.parseInt(args[1]));
            case "events" -> events(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static final class Sink {
        long entries;
        long hash;
    }

    /** Our side of a pair: dump, decode, format each entry as conntrack -L does, write the lines out. */
    private static long listAsConntrackTools(ConntrackClient client, Writer out) throws Exception {
        Sink s = new Sink();
        client.dump(ConntrackFilter.all(), ct -> {
            try {
                out.write(ConntrackLine.of(ct));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            s.entries++;
        });
        out.flush();
        return s.entries;
    }

    /** The reference side: conntrack -L, its stdout and stderr to /dev/null; wall ms. */
    private static double conntrackL() throws Exception {
        long c0 = System.nanoTime();
        Process p = new ProcessBuilder("conntrack", "-L").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("conntrack -L took more than 60 s");
        }
        return (System.nanoTime() - c0) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String runs(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.0f", v));
        return sb.toString();
    }

    private static void dump(int iterations) throws Exception {
        long t0 = System.nanoTime();
        try (ConntrackClient client = ConntrackClient.open();
             Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream("/dev/null"), StandardCharsets.US_ASCII),
                     1 << 16)) {
            long openNanos = System.nanoTime() - t0;
            long entries = listAsConntrackTools(client, out);
            long coldNanos = System.nanoTime() - t0;
            System.out.printf("first dump+format in a fresh JVM (incl. socket open, class loading, no JIT): %d entries, %.1f ms"
                    + " (of which jnr-ffi binding + socket open %.1f ms)%n", entries, coldNanos / 1e6, openNanos / 1e6);
            if (iterations == 0) {
                return;
            }
            for (int i = 0; i < 5; i++) { // the same warm-up for both sides
                conntrackL();
                listAsConntrackTools(client, out);
            }
            long tid = Thread.currentThread().getId();
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> bytesPerEntry = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                // interleaved, the order flipped every pair, so both sides see the same machine load
                double ct = i % 2 == 0 ? conntrackL() : -1;
                long a0 = THREADS.getThreadAllocatedBytes(tid);
                long s0 = System.nanoTime();
                long n = listAsConntrackTools(client, out);
                double ms = (System.nanoTime() - s0) / 1e6;
                long alloc = THREADS.getThreadAllocatedBytes(tid) - a0;
                if (ct < 0) ct = conntrackL();
                ours.add(ms);
                theirs.add(ct);
                ratios.add(ms / ct);
                bytesPerEntry.add((double) alloc / n);
                if (n != entries) {
                    System.out.println("table size changed: " + n);
                }
            }
            System.out.printf("%d interleaved pairs (order flipped each pair, 5 warm-up runs each side), %d entries:%n", iterations, entries);
            System.out.printf("  conntrack -L                  ms: median %.1f, runs %s%n", median(theirs), runs(theirs));
            System.out.printf("  ours dump+decode+format+write ms: median %.1f, runs %s%n", median(ours), runs(ours));
            System.out.printf("  ratio ours/conntrack -L: of the medians %.2f; per pair: median %.2f, pairs %s%n",
                    median(ours) / median(theirs), median(ratios),
                    ratios.stream().map(r -> String.format("%.2f", r)).reduce((a, b) -> a + " " + b).orElse(""));
            System.out.printf("heap allocated per entry (decoded Conntrack + its line): median %.0f bytes%n", median(bytesPerEntry));
            System.out.printf("RESULT list_ms=%.1f conntrack_l_ms=%.1f ratio=%.2f cold_ms=%.1f bytes_per_entry=%.0f entries=%d%n",
                    median(ours), median(theirs), median(ours) / median(theirs), coldNanos / 1e6, median(bytesPerEntry), entries);
        }
    }

    /**
     * The events run uses {@link ConntrackMonitor}, as the daemon would: subscribe, snapshot, apply
     * events, and take a new snapshot whenever the kernel reports lost events.
     */
    private static void events(String file, int n, int rcvbuf) throws Exception {
        BitSet byEvent = new BitSet(n);
        BitSet bySnapshot = new BitSet(n);
        long[] lossSnapshots = new long[1];
        long[] lastActivity = {System.nanoTime()};
        ConntrackMonitor.Listener listener = new ConntrackMonitor.Listener() {
            @Override
            public synchronized void onSnapshotBegin(boolean afterLoss) {
                if (afterLoss) {
                    lossSnapshots[0]++;
                }
            }

            @Override
            public synchronized void onConntrack(Conntrack entry) {
                int i = index(entry.original().src().v4Int());
                if (i >= 0 && i < n && !byEvent.get(i)) {
                    bySnapshot.set(i);
                }
                lastActivity[0] = System.nanoTime();
            }

            @Override
            public synchronized void onEvent(ConntrackEvent e) {
                int i = index(e.conntrack().original().src().v4Int());
                if (e.type() == ConntrackEvent.Type.NEW && i >= 0 && i < n) {
                    byEvent.set(i);
                }
                lastActivity[0] = System.nanoTime();
            }
        };
        long s0;
        long loaderDone;
        long actualRcvbuf;
        try (ConntrackMonitor mon = ConntrackMonitor.start(null, EnumSet.of(ConntrackEvents.Group.NEW), rcvbuf, listener)) {
            while (mon.snapshots() < 1) {
                Thread.sleep(10);
            }
            actualRcvbuf = mon.receiveBufferSize();
            s0 = System.nanoTime();
            Process p = new ProcessBuilder("conntrack", "-R", file).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("conntrack -R did not finish in 120 s");
            }
            loaderDone = System.nanoTime();
            // wait until the monitor has been quiet for 1 s (bounded: 60 s)
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                synchronized (listener) {
                    if (System.nanoTime() - lastActivity[0] > 1_000_000_000L) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
        }
        BitSet all;
        synchronized (listener) {
            all = (BitSet) byEvent.clone();
            all.or(bySnapshot);
        }
        System.out.printf("events socket receive buffer: %d bytes (requested %d)%n", actualRcvbuf, rcvbuf);
        System.out.printf("burst of %d new entries (conntrack -R took %.2f s): %d received as events, %d resync snapshots after "
                        + "lost events, %d recovered only by those snapshots, %d of %d accounted for%n",
                n, (loaderDone - s0) / 1e9, byEvent.cardinality(), lossSnapshots[0], bySnapshot.cardinality(), all.cardinality(), n);
        System.out.printf("RESULT events_received=%d loss_resyncs=%d resync_recovered=%d accounted=%d expected=%d%n",
                byEvent.cardinality(), lossSnapshots[0], bySnapshot.cardinality(), all.cardinality(), n);
        if (all.cardinality() != n) {
            System.exit(1);
        }
    }

    private static int index(int addr) {
        return addr - 0x0b000000; // 11.0.0.0 + i
    }
}
