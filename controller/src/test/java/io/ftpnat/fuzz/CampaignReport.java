package io.ftpnat.fuzz;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a campaign counts besides crashes, printed when Jazzer ends it (fuzzerTearDown), read by
 * scripts/fuzz.sh: maxima of bounded quantities, and violations of the invariants that only hold
 * once pending fixes are merged (counted with their first example instead of failing the run).
 * One instance per harness class; mutable by design: a campaign is one process that accumulates.
 */
final class CampaignReport {
    private final ConcurrentHashMap<String, AtomicLong> maxima = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> violations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> firstExample = new ConcurrentHashMap<>();

    void max(String what, long value) {
        maxima.computeIfAbsent(what, k -> new AtomicLong()).accumulateAndGet(value, Math::max);
    }

    /** Counts one occurrence; the example (escaped, cut) is kept for the first only. */
    void violation(String invariant, String example) {
        if (violations.computeIfAbsent(invariant, k -> new AtomicLong()).incrementAndGet() == 1) {
            firstExample.put(invariant, escape(example.length() > 200 ? example.substring(0, 200) + "..." : example));
        }
    }

    void print() {
        maxima.forEach((k, v) -> System.err.println("max " + k + ": " + v.get()));
        violations.forEach((k, v) -> System.err.println("post-fix invariant violated (switched off): " + k + ": " + v.get()
                + " occurrences; first: " + firstExample.get(k)));
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.err.println("peak heap used: " + peak / (1024 * 1024) + " MiB (sum of the heap pools' peaks)");
    }

    /** Bytes as printable text for a report: {@code \r \n \xff} escaped. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Quiets the product's loggers for a campaign: millions of refusals would be logged otherwise. */
    static void quietLogs() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ftpnat")).setLevel(ch.qos.logback.classic.Level.OFF);
    }
}
