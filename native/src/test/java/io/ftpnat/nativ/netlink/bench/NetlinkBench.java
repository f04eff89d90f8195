package io.ftpnat.nativ.netlink.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;

/**
 * Benchmark driver for scripts/bench-netlink.sh; runs inside the benchmark's namespace
 * ({@code ip netns exec NS java ...}), so its sockets are there.
 *
 * <pre>
 * dump ITERATIONS          dump+decode the whole table ITERATIONS times after a warm-up (0: one
 *                          dump in a fresh JVM, then exit); prints
 *                          wall time per dump and heap bytes allocated per entry
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

    private static void dump(int iterations) throws Exception {
        long t0 = System.nanoTime();
        try (ConntrackClient client = ConntrackClient.open()) {
            long openNanos = System.nanoTime() - t0;
            Sink first = new Sink();
            client.dump(ConntrackFilter.all(), ct -> {
                first.entries++;
                first.hash += ct.original().srcPort() ^ ct.reply().dst().lo();
            });
            long coldNanos = System.nanoTime() - t0;
            System.out.printf("first dump in a fresh JVM (incl. socket open, class loading, no JIT): %d entries, %.1f ms"
                    + " (of which jnr-ffi binding + socket open %.1f ms)%n", first.entries, coldNanos / 1e6, openNanos / 1e6);
            if (iterations == 0) {
                return;
            }
            for (int i = 0; i < 5; i++) { // warm-up
                client.dump(ConntrackFilter.all(), ct -> { });
            }
            long tid = Thread.currentThread().getId();
            List<Double> millis = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> bytesPerEntry = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                // conntrack -L and ours back to back, so both see the same machine load
                long c0 = System.nanoTime();
                Process p = new ProcessBuilder("conntrack", "-L").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("conntrack -L took more than 60 s");
                }
                double ct = (System.nanoTime() - c0) / 1e6;
                Sink s = new Sink();
                long a0 = THREADS.getThreadAllocatedBytes(tid);
                long s0 = System.nanoTime();
                client.dump(ConntrackFilter.all(), ct2 -> {
                    s.entries++;
                    s.hash += ct2.original().srcPort() ^ ct2.reply().dst().lo();
                });
                long ns = System.nanoTime() - s0;
                long alloc = THREADS.getThreadAllocatedBytes(tid) - a0;
                millis.add(ns / 1e6);
                theirs.add(ct);
                ratios.add(ns / 1e6 / ct);
                bytesPerEntry.add((double) alloc / s.entries);
                if (s.entries != first.entries) {
                    System.out.println("table size changed: " + s.entries);
                }
            }
            Collections.sort(millis);
            Collections.sort(theirs);
            Collections.sort(ratios);
            Collections.sort(bytesPerEntry);
            int m = iterations / 2;
            System.out.printf("steady-state dump+decode of %d entries: median %.1f ms (min %.1f, max %.1f); "
                            + "conntrack -L run just before each: median %.1f ms (min %.1f, max %.1f); "
                            + "ratio ours/conntrack: median %.2f (min %.2f, max %.2f), %d pairs%n",
                    first.entries, millis.get(m), millis.get(0), millis.get(iterations - 1), theirs.get(m), theirs.get(0),
                    theirs.get(iterations - 1), ratios.get(m), ratios.get(0), ratios.get(iterations - 1), iterations);
            System.out.printf("heap allocated per entry (decoded Conntrack + tuples + addresses): median %.0f bytes%n",
                    bytesPerEntry.get(m));
            System.out.printf("RESULT dump_ms=%.1f conntrack_l_ms=%.1f ratio=%.2f cold_ms=%.1f bytes_per_entry=%.0f entries=%d%n",
                    millis.get(m), theirs.get(m), ratios.get(m), coldNanos / 1e6, bytesPerEntry.get(m), first.entries);
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
