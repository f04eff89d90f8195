package io.ftpnat.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a lab test needs from the machine (root, a tool, a built artifact). A developer's laptop
 * without them skips the test with a message naming what is missing; CI ({@code CI=true}) and
 * any run as root fail instead, because there the tests are expected to run: a skip there would
 * be a silent hole in the suite. scripts/test also fails on any skip not listed in
 * tests/skip-allowlist.txt.
 */
public final class Requirement {
    private Requirement() {}

    /** Skips (laptop) or fails (CI, root) unless {@code met}. */
    public static void require(boolean met, String what) {
        if (met) return;
        if (mustRun()) {
            throw new AssertionError(what + " (CI=true or running as root: the lab tests must run here, not skip;"
                    + " run scripts/install-deps)");
        }
        Assumptions.assumeTrue(false, what + ": skipped");
    }

    /** CI=true in the environment, or root: everything the lab needs is expected to be present. */
    public static boolean mustRun() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || isRoot();
    }

    /** Effective uid 0, read from /proc (no process started). */
    public static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
