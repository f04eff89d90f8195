package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A long-running process (server, daemon, tcpdump, conntrack -E) whose stdout and stderr go to one
 * log file. Closing it stops it: SIGTERM (or the given signal), then SIGKILL after a grace period.
 */
public final class BackgroundProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> argv;
    private String stopSignal = "TERM";

    private BackgroundProcess(String name, Process process, Path log, List<String> argv) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.argv = argv;
    }

    public static BackgroundProcess start(String name, Path log, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new BackgroundProcess(name, pb.start(), log, List.copyOf(Arrays.asList(argv)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", argv), e);
        }
    }

    public static BackgroundProcess startInNs(String name, String ns, Path log, String... argv) {
        return start(name, log, Cmd.prefixNs(ns, argv));
    }

    /** The signal close() sends first (TERM by default; INT makes tcpdump flush its capture). */
    public BackgroundProcess stopWith(String signal) {
        this.stopSignal = signal;
        return this;
    }

    public String name() { return name; }

    public long pid() { return process.pid(); }

    public Path logFile() { return log; }

    public boolean alive() { return process.isAlive(); }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the log holds a line matching the pattern; fails early if the process exits. */
    public String awaitLine(Pattern pattern, Duration timeout) {
        return awaitLine(l -> pattern.matcher(l).find(), pattern.pattern(), 0, timeout);
    }

    /** Waits for the {@code occurrence}-th (1-based) line matching the predicate. */
    public String awaitLine(Predicate<String> matches, String what, int alreadySeen, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int seen = 0;
            for (String line : log().split("\n")) {
                if (matches.test(line) && ++seen > alreadySeen) return line;
            }
            if (!process.isAlive()) {
                throw new LabException(name + " exited (" + process.exitValue() + ") before logging " + what
                        + "\n--- its log\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new LabException(name + " did not log " + what + " within " + timeout + "\n--- its log\n" + log());
            }
            sleep(50);
        }
    }

    public long countLines(Predicate<String> matches) {
        return log().lines().filter(matches).count();
    }

    /** Sends a signal to the process (and, when it is a wrapper such as ip netns exec + a script, to its descendants). */
    public void signal(String signal) {
        Cmd.run(Duration.ofSeconds(5), "kill", "-" + signal, Long.toString(process.pid()));
    }

    /** Waits for the process to exit by itself; returns its exit code or fails. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LabException(name + " still running after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted waiting for " + name);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        List<ProcessHandle> tree = new java.util.ArrayList<>(process.toHandle().descendants().toList());
        signal(stopSignal);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                Cmd.killTree(process.toHandle());
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Cmd.killTree(process.toHandle());
            Thread.currentThread().interrupt();
        }
        tree.forEach(h -> { if (h.isAlive()) h.destroyForcibly(); });
    }

    @Override
    public String toString() { return name + " (pid " + process.pid() + "): " + String.join(" ", argv); }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }
}
