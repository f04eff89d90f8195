package io.ftpnat.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a number from a /proc/sys file in one read(2). A sysctl integer is formatted only for a
 * read at offset 0: a second read at a later offset gets end-of-file. {@code Files.readString}
 * (a 0-byte size hint, then a 1-byte read, then the rest at offset 1) therefore returned only the
 * first digit — "1" for 100,000 conntrack entries.
 */
public final class ProcSys {
    private ProcSys() {
    }

    /** The file's number, or -1 when it cannot be read or parsed (module not loaded). */
    public static long number(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[64];
            int n = in.read(b);
            return n <= 0 ? -1 : Long.parseLong(new String(b, 0, n, StandardCharsets.US_ASCII).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** /proc/sys/net/netfilter/NAME of the caller's network namespace. */
    public static long netfilter(String name) {
        return number(Path.of("/proc/sys/net/netfilter", name));
    }
}
