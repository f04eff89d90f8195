package io.ftpnat.security;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.Daemon;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ServerKind;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What SlipstreamingTest needs around the lab: the attacker's and victim's script
 * (tests/src/test/resources/slipstream_lab.py), the daemon's status counters and session lines,
 * and the daemon process's resident memory and threads from /proc.
 */
final class SlipstreamLab {
    private SlipstreamLab() {
    }

    static void assumeLabWithDaemon() {
        assumeTrue("0".equals(Cmd.run("id", "-u").out().trim()), "the namespace lab needs root: skipped; run as root");
        for (String tool : new String[] {"ip", "nft", "conntrack", "python3", "curl", "/usr/sbin/vsftpd"}) {
            assumeTrue(Cmd.onPath(tool), tool + " missing: run scripts/install-deps");
        }
        assumeTrue(ServerKind.VSFTPD.installed(), "vsftpd is not installed: run scripts/install-deps");
        assumeTrue(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")),
                "the daemon is not built (controller/target/ftpnat.jar): run 'mvn -DskipTests package' at the root");
    }

    static String script() {
        try {
            return Path.of(Objects.requireNonNull(SlipstreamLab.class.getResource("/slipstream_lab.py")).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A counter of {@code ftpnatctl -o json status} (sessions section), or -1. */
    static long counter(Daemon d, String name) {
        Cmd.Result r = d.ctl("-o", "json", "status");
        Matcher m = Pattern.compile("\"" + name + "\" : (\\d+)").matcher(r.out());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The {@code ftpnatctl -o json sessions} line of the session whose client port is {@code sport}, or "". */
    static String sessionLine(Daemon d, int sport, int dport) {
        String needle = "\"sport\":" + sport + ",\"dport\":" + dport + "}";
        return d.ctl("-o", "json", "sessions").out().lines().filter(l -> l.contains(needle)).findFirst().orElse("");
    }

    /** A field of /proc/PID/status in its unit (VmRSS in kB, Threads), or -1. */
    static long procStatus(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
