package io.ftpnat.scenarios;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.util.List;

/**
 * The lab needs root (network namespaces, nftables, conntrack) and the real tools. Without them
 * the scenario suites are skipped with a message saying what is missing (scripts/install-deps
 * installs everything); CI runs as root with everything installed.
 */
final class LabAssumptions {
    private LabAssumptions() {}

    static final List<String> TOOLS = List.of("ip", "nft", "conntrack", "tcpdump", "ss", "ping", "curl", "lftp",
            "python3", "/usr/sbin/vsftpd");

    static void assumeLab() {
        assumeTrue(isRoot(), "the namespace lab needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN): skipped; run as root");
        List<String> missing = TOOLS.stream().filter(t -> !Cmd.onPath(t)).toList();
        assumeTrue(missing.isEmpty(), "the namespace lab needs " + missing + ": run scripts/install-deps");
    }

    static void assumeServer(ServerKind kind) {
        assumeTrue(kind.installed(), kind + " is not installed: run scripts/install-deps");
    }

    static void assumeDaemon() {
        assumeLab();
        assumeTrue(Files.isExecutable(ProjectHome.ftpnatd()), "bin/ftpnatd missing");
        assumeTrue(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")),
                "the daemon is not built (controller/target/ftpnat.jar): run 'mvn -DskipTests install' at the root");
    }

    static boolean isRoot() {
        Cmd.Result r = Cmd.run("id", "-u");
        return r.ok() && r.out().trim().equals("0");
    }
}
