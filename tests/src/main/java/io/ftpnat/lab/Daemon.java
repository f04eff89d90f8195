package io.ftpnat.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The real daemon, {@code bin/ftpnatd run --policy FILE}, in the lab's router namespace, as an
 * operator would run it. Its log (stdout and stderr) is captured; the handle waits for
 * {@code policy applied}, sends SIGHUP to reload, and stops it with SIGTERM (the daemon leaves its
 * table in place; the namespace's deletion removes it).
 */
public final class Daemon implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern APPLIED = Pattern.compile("policy applied");
    private static final Pattern REJECTED = Pattern.compile("policy rejected");

    private final BackgroundProcess process;
    private final Path policy;
    private final Path socket;

    private Daemon(BackgroundProcess process, Path policy, Path socket) {
        this.process = process;
        this.policy = policy;
        this.socket = socket;
    }

    /** Starts the daemon with the policy and waits until it logged {@code policy applied}. */
    public static Daemon start(NamespaceLab lab, Path policy) {
        return start(lab, policy, new String[0]);
    }

    /** As {@link #start(NamespaceLab, Path)}, with more options for {@code ftpnatd run}. */
    public static Daemon start(NamespaceLab lab, Path policy, String... options) {
        long n = System.nanoTime();
        Path log = lab.dir("daemon").resolve("ftpnatd-" + n + ".log");
        // Each lab daemon has its own API socket, so a lab never meets another daemon's socket.
        Path socket = lab.dir("daemon").resolve("ftpnatd-" + n + ".sock");
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of(
                ProjectHome.ftpnatd().toString(), "run", "--policy", policy.toString(), "--socket", socket.toString()));
        argv.addAll(java.util.List.of(options));
        BackgroundProcess p = lab.own(lab.router().start("ftpnatd", log, argv.toArray(String[]::new)));
        Daemon d = new Daemon(p, policy, socket);
        p.awaitLine(APPLIED, START_TIMEOUT);
        return d;
    }

    /** {@code bin/ftpnatd check --policy FILE}: exit code and output. */
    public static Cmd.Result check(Path policy) {
        return Cmd.run(Duration.ofSeconds(30), ProjectHome.ftpnatd().toString(), "check", "--policy", policy.toString());
    }

    public Path policy() { return policy; }

    /** The daemon's API socket, for ftpnatctl --socket. */
    public Path socket() { return socket; }

    /** {@code bin/ftpnatctl --socket <this daemon's> ARGS...} with a 30 s bound. */
    public Cmd.Result ctl(String... args) {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of(
                ProjectHome.get().resolve("bin/ftpnatctl").toString(), "--socket", socket.toString()));
        argv.addAll(java.util.List.of(args));
        return Cmd.run(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    public String log() { return process.log(); }

    public boolean alive() { return process.alive(); }

    /** The daemon's process id (ip netns exec and bin/ftpnatd both exec: it is the JVM's). */
    public long pid() { return process.pid(); }

    /**
     * Sends SIGHUP and waits for the outcome of the reload: returns the first new log line saying
     * {@code policy applied} or {@code policy rejected}.
     */
    public String reload() {
        long applied = process.countLines(l -> APPLIED.matcher(l).find());
        long rejected = process.countLines(l -> REJECTED.matcher(l).find());
        process.signal("HUP");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var lines = process.log().lines().toList();
            long a = lines.stream().filter(l -> APPLIED.matcher(l).find()).count();
            long r = lines.stream().filter(l -> REJECTED.matcher(l).find()).count();
            if (r > rejected) return lines.stream().filter(l -> REJECTED.matcher(l).find()).skip(rejected).findFirst().orElseThrow();
            if (a > applied) return lines.stream().filter(l -> APPLIED.matcher(l).find()).skip(applied).findFirst().orElseThrow();
            if (!process.alive()) throw new LabException("ftpnatd exited during reload:\n" + log());
            BackgroundProcess.sleep(50);
        }
        throw new LabException("ftpnatd logged neither 'policy applied' nor 'policy rejected' within "
                + START_TIMEOUT + " of SIGHUP:\n" + log());
    }

    /** SIGKILL, as a crash would: nothing of the daemon's own shutdown runs. Returns the exit code. */
    public int kill() {
        process.signal("KILL");
        return process.awaitExit(Duration.ofSeconds(15));
    }

    /** SIGTERM and wait; returns the exit code. */
    public int stop() {
        process.signal("TERM");
        return process.awaitExit(Duration.ofSeconds(15));
    }

    @Override
    public void close() { process.close(); }
}
