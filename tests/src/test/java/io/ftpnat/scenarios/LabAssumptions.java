package io.ftpnat.scenarios;

import static io.ftpnat.lab.Requirement.require;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.util.List;

/**
 * The lab needs root (network namespaces, nftables, conntrack) and the real tools. Without them,
 * on a laptop, the scenario suites are skipped with a message saying what is missing
 * (scripts/install-deps installs everything); under CI=true or as root they fail instead
 * ({@link io.ftpnat.lab.Requirement}).
 */
final class LabAssumptions {
    private LabAssumptions() {}

    static final List<String> TOOLS = List.of("ip", "nft", "conntrack", "tcpdump", "ss", "ping", "curl", "lftp",
            "python3", "/usr/sbin/vsftpd");

    static void assumeLab() {
        require(isRoot(), "the namespace lab needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)");
        List<String> missing = TOOLS.stream().filter(t -> !Cmd.onPath(t)).toList();
        require(missing.isEmpty(), "the namespace lab needs " + missing + ": run scripts/install-deps");
    }

    static void assumeServer(ServerKind kind) {
        require(kind.installed(), kind + " is not installed: run scripts/install-deps");
    }

    static void assumeDaemon() {
        assumeLab();
        require(Files.isExecutable(ProjectHome.ftpnatd()), "bin/ftpnatd missing");
        require(Files.exists(ProjectHome.get().resolve("controller/target/ftpnat.jar")),
                "the daemon is not built (controller/target/ftpnat.jar): run 'mvn -DskipTests install' at the root");
    }

    static boolean isRoot() { return io.ftpnat.lab.Requirement.isRoot(); }
}
