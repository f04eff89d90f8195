package io.ftpnat.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The kernel's own counts and limits for the daemon's network namespace, read from /proc at each
 * scrape: cheap, no dump. A file that cannot be read (module not loaded) gives no value, not 0.
 */
final class KernelCounters {
    private static final Path PROC_SYS = Path.of("/proc/sys/net/netfilter");
    /** Bounds the expectation count: the kernel's table is bounded too (nf_conntrack_expect_max). */
    private static final int MAX_EXPECT_LINES = 1_000_000;

    OptionalDouble conntrackEntries() {
        return number(PROC_SYS.resolve("nf_conntrack_count"));
    }

    OptionalDouble conntrackMax() {
        return number(PROC_SYS.resolve("nf_conntrack_max"));
    }

    OptionalDouble expectationsMax() {
        return number(PROC_SYS.resolve("nf_conntrack_expect_max"));
    }

    /** One line per expectation in /proc/net/nf_conntrack_expect (there is no count file). */
    OptionalDouble expectations() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/net/nf_conntrack_expect"), StandardCharsets.US_ASCII)) {
            int n = 0;
            while (n < MAX_EXPECT_LINES && r.readLine() != null) {
                n++;
            }
            return OptionalDouble.of(n);
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    private static OptionalDouble number(Path file) {
        long n = io.ftpnat.kernel.ProcSys.number(file);
        return n < 0 ? OptionalDouble.empty() : OptionalDouble.of(n);
    }
}
