package io.ftpnat.nativ.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test lab: network namespaces named {@code ftpnat-nl-*} that this test creates and always deletes
 * ({@link #close()}, plus a JVM shutdown hook as a last resort). Kernel state is only ever changed
 * inside them. Tests needing it skip (JUnit assumption) when not root or without the tools, except
 * under CI=true or as root, where they fail.
 */
public final class NetnsLab implements AutoCloseable {
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> daemons = new ArrayList<>();
    private final Thread hook = new Thread(this::cleanup, "netns-lab-cleanup");

    public NetnsLab() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Skips the calling test unless we are root with ip and conntrack available, on a laptop;
     * under CI=true or as root a missing requirement fails the test instead (CI must run
     * everything: a skip there would be a silent hole; scripts/test also fails on skips).
     */
    public static void assumeRootLab() {
        require(isRoot(), "needs root (CAP_NET_ADMIN) to create network namespaces");
        require(Files.isExecutable(Path.of("/usr/sbin/conntrack")) || Files.isExecutable(Path.of("/sbin/conntrack")),
                "needs conntrack-tools");
        require(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "needs iproute2");
    }

    private static void require(boolean met, String what) {
        if (met) return;
        if ("true".equalsIgnoreCase(System.getenv("CI")) || isRoot()) {
            throw new AssertionError(what + " (CI=true or root: the lab must run here, not skip; run scripts/install-deps)");
        }
        assumeTrue(false, what + ": skipped");
    }

    public static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates a namespace with loopback up; returns its name. */
    public String newNamespace(String tag) throws IOException {
        String name = "ftpnat-nl-" + tag + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        sh("ip", "netns", "add", name);
        namespaces.add(name);
        sh("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs a command to completion (30 s bound); returns stdout; throws with stderr on failure. */
    public static String sh(String... cmd) throws IOException {
        return run(30, cmd);
    }

    public static String run(int timeoutSeconds, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = Files.createTempFile("netns-lab", ".err");
        Path out = Files.createTempFile("netns-lab", ".out");
        pb.redirectError(err.toFile()).redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + Files.readString(err));
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }

    /** Runs a command inside namespace {@code ns}. */
    public static String exec(String ns, String... cmd) throws IOException {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return sh(full);
    }

    /** Starts a long-running process inside {@code ns}; it is killed on close. */
    public Process spawn(String ns, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        daemons.add(p);
        return p;
    }

    /** Like {@link #spawn} but with stdout readable (stderr discarded); killed on close. */
    public Process spawnWithOutput(String ns, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        daemons.add(p);
        return p;
    }

    private synchronized void cleanup() {
        for (Process p : daemons) {
            p.destroy();
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        daemons.clear();
        for (String ns : namespaces) {
            try {
                run(10, "ip", "netns", "delete", ns);
            } catch (IOException e) {
                System.err.println("netns lab: could not delete " + ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }

    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // JVM already shutting down
        }
    }
}
