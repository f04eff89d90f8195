package io.ftpnat.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command to completion with a hard timeout and captures its output. */
public final class Cmd {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Cmd() {}

    /** The outcome of one command. */
    public record Result(List<String> argv, int exit, String out, String err, boolean timedOut) {
        public boolean ok() { return exit == 0 && !timedOut; }

        public Result check() {
            if (!ok()) {
                throw new LabException("command failed (exit " + exit + (timedOut ? ", timed out" : "") + "): "
                        + String.join(" ", argv) + "\n--- stdout\n" + out + "\n--- stderr\n" + err);
            }
            return this;
        }
    }

    public static Result run(String... argv) { return runWithInput(DEFAULT_TIMEOUT, null, argv); }

    public static Result run(Duration timeout, String... argv) { return runWithInput(timeout, null, argv); }

    /** Runs argv, feeding stdin (may be null), killing the process tree when timeout passes. */
    public static Result runWithInput(Duration timeout, String stdin, String... argv) {
        List<String> cmd = Arrays.asList(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the process may exit without reading its input
        }
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                killTree(p.toHandle());
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return new Result(List.copyOf(cmd), done ? p.exitValue() : -1,
                    out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS), !done);
        } catch (InterruptedException e) {
            killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new LabException("interrupted: " + String.join(" ", cmd));
        } catch (Exception e) {
            killTree(p.toHandle());
            throw new LabException("cannot collect output of " + String.join(" ", cmd) + ": " + e);
        }
    }

    /** Runs argv inside a network namespace. */
    public static Result inNs(String ns, Duration timeout, String... argv) {
        return runWithInput(timeout, null, prefixNs(ns, argv));
    }

    public static Result inNs(String ns, String... argv) { return inNs(ns, DEFAULT_TIMEOUT, argv); }

    static String[] prefixNs(String ns, String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(Arrays.asList(argv));
        return all.toArray(String[]::new);
    }

    static void killTree(ProcessHandle h) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** True if an executable of that name is on PATH (or the path itself is executable). */
    public static boolean onPath(String tool) {
        if (tool.contains("/")) return java.nio.file.Files.isExecutable(java.nio.file.Path.of(tool));
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))) return true;
        }
        return false;
    }
}
