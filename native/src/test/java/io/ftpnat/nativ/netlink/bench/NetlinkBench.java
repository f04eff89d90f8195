package io.ftpnat.nativ.netlink.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvents;
import io.ftpnat.nativ.netlink.conntrack.ConntrackFilter;
import io.ftpnat.nativ.netlink.conntrack.EventHandler;

/**
 * Benchmark driver for scripts/bench-netlink.sh; runs inside the benchmark's namespace
 * ({@code ip netns exec NS java ...}), so its sockets are there.
 *
 * <pre>
 * dump ITERATIONS          dump+decode the whole table ITERATIONS times after a warm-up (0: one
 *                          dump in a fresh JVM, then exit); prints
 *                          wall time per dump and heap bytes allocated per entry
 * events FILE N RCVBUF     subscribe to NEW events, run `conntrack -R FILE` (N entries with source
 *                          addresses 11.0.0.0 + i), count every entry received by event or, after
 *                          ENOBUFS, recovered by a resync dump
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
            List<Double> bytesPerEntry = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                Sink s = new Sink();
                long a0 = THREADS.getThreadAllocatedBytes(tid);
                long s0 = System.nanoTime();
                client.dump(ConntrackFilter.all(), ct -> {
                    s.entries++;
                    s.hash += ct.original().srcPort() ^ ct.reply().dst().lo();
                });
                long ns = System.nanoTime() - s0;
                long alloc = THREADS.getThreadAllocatedBytes(tid) - a0;
                millis.add(ns / 1e6);
                bytesPerEntry.add((double) alloc / s.entries);
                if (s.entries != first.entries) {
                    System.out.println("table size changed: " + s.entries);
                }
            }
            Collections.sort(millis);
            Collections.sort(bytesPerEntry);
            System.out.printf("steady-state dump+decode of %d entries: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)%n",
                    first.entries, millis.get(millis.size() / 2), millis.get(0), millis.get(millis.size() - 1), iterations);
            System.out.printf("heap allocated per entry (decoded Conntrack + tuples + addresses): median %.0f bytes%n",
                    bytesPerEntry.get(bytesPerEntry.size() / 2));
            System.out.printf("RESULT dump_ms=%.1f cold_ms=%.1f bytes_per_entry=%.0f entries=%d%n",
                    millis.get(millis.size() / 2), coldNanos / 1e6, bytesPerEntry.get(bytesPerEntry.size() / 2), first.entries);
        }
    }

    private static void events(String file, int n, int rcvbuf) throws Exception {
        BitSet byEvent = new BitSet(n);
        BitSet byResync = new BitSet(n);
        long[] received = new long[1];
        long[] lossReports = new long[1];
        try (ConntrackEvents ev = ConntrackEvents.subscribe(
                io.ftpnat.nativ.netlink.KernelTransport.open(io.ftpnat.nativ.netlink.KernelTransport.NETLINK_NETFILTER),
                EnumSet.of(ConntrackEvents.Group.NEW), rcvbuf);
             ConntrackClient client = ConntrackClient.open()) {
            System.out.printf("events socket receive buffer: %d bytes (requested %d)%n", ev.receiveBufferSize(), rcvbuf);
            boolean[] resyncNeeded = new boolean[1];
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent e) {
                    received[0]++;
                    int i = index(e.conntrack().original().src().v4Int());
                    if (i >= 0 && i < n) {
                        byEvent.set(i);
                    }
                }

                @Override
                public void onEventsLost() {
                    lossReports[0]++;
                    resyncNeeded[0] = true;
                }
            };
            long s0 = System.nanoTime();
            Process p = new ProcessBuilder("conntrack", "-R", file).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // read on this thread while conntrack loads; stop after the loader exited and 1 s of silence
            long idleSince = System.nanoTime();
            long loaderDone = 0;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                int got = ev.poll(h, 100);
                if (got > 0) {
                    idleSince = System.nanoTime();
                }
                if (!p.isAlive() && loaderDone == 0) {
                    loaderDone = System.nanoTime();
                }
                if (!p.isAlive() && System.nanoTime() - idleSince > 1_000_000_000L) {
                    break;
                }
            }
            long loadNanos = (loaderDone == 0 ? System.nanoTime() : loaderDone) - s0;
            if (resyncNeeded[0]) {
                client.dump(ConntrackFilter.all().ipv4(), ct -> {
                    int i = index(ct.original().src().v4Int());
                    if (i >= 0 && i < n && !byEvent.get(i)) {
                        byResync.set(i);
                    }
                });
            }
            BitSet all = (BitSet) byEvent.clone();
            all.or(byResync);
            System.out.printf("burst of %d new entries (conntrack -R took %.2f s): %d events received, "
                            + "%d loss reports (ENOBUFS), %d recovered by resync dump, %d of %d accounted for%n",
                    n, loadNanos / 1e9, byEvent.cardinality(), lossReports[0], byResync.cardinality(), all.cardinality(), n);
            System.out.printf("RESULT events_received=%d loss_reports=%d resync_recovered=%d accounted=%d expected=%d%n",
                    byEvent.cardinality(), lossReports[0], byResync.cardinality(), all.cardinality(), n);
            if (all.cardinality() != n) {
                System.exit(1);
            }
        }
    }

    private static int index(int addr) {
        return addr - 0x0b000000; // 11.0.0.0 + i
    }
}
