package io.ftpnat.security;

import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.Namespace;
import io.ftpnat.lab.PythonFtpClient;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The attackers' scripts (tests/src/test/resources/security/): alg_attacks.py (the client side),
 * alg_evil_server.py and alg_silent_server.py (the server side); and what the tests read of the
 * daemon's process (threads, resident memory) and of the kernel.
 */
final class AttackScripts {
    private AttackScripts() {}

    static Path script(String name) {
        try {
            return Path.of(Objects.requireNonNull(AttackScripts.class.getResource("/security/" + name)).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** alg_attacks.py SCENARIO HOST PORT ARGS... in {@code ns}, bounded by {@code timeout}. */
    static Cmd.Result attack(Namespace ns, Duration timeout, String scenario, String host, int port, String... args) {
        List<String> argv = new ArrayList<>(List.of(PythonFtpClient.python(), script("alg_attacks.py").toString(), scenario, host,
                Integer.toString(port)));
        argv.addAll(List.of(args));
        return ns.exec(timeout, argv.toArray(String[]::new));
    }

    /** The same, in the background (its output in {@code log}). */
    static BackgroundProcess attackInBackground(Namespace ns, Path log, String scenario, String host, int port, String... args) {
        List<String> argv = new ArrayList<>(List.of(PythonFtpClient.python(), script("alg_attacks.py").toString(), scenario, host,
                Integer.toString(port)));
        argv.addAll(List.of(args));
        return ns.start("attack-" + scenario, log, argv.toArray(String[]::new));
    }

    /** A server script of the resources in {@code ns} on {@code port}. */
    static BackgroundProcess server(Namespace ns, Path log, String script, int port) {
        return ns.start(script, log, PythonFtpClient.python(), script(script).toString(), Integer.toString(port));
    }

    /** A process's resident memory (KiB) and thread count, from /proc (the namespaces share the host's pid space). */
    record ProcessSize(long rssKib, int threads) {
        static ProcessSize of(long pid) {
            try {
                long rss = -1;
                int threads = -1;
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmRSS:")) rss = Long.parseLong(l.replaceAll("\\D+", ""));
                    if (l.startsWith("Threads:")) threads = Integer.parseInt(l.replaceAll("\\D+", ""));
                }
                return new ProcessSize(rss, threads);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public String toString() { return (rssKib / 1024) + " MiB RSS, " + threads + " threads"; }
    }

    /** The packets counted by the rule with that comment in a chain of ftpnat's table. */
    static long counter(Namespace router, String chain, String comment) {
        String out = router.run("nft", "list", "chain", "inet", "ftpnat", chain);
        var m = java.util.regex.Pattern.compile("counter packets (\\d+) bytes \\d+ .*comment \"" + java.util.regex.Pattern.quote(comment))
                .matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
