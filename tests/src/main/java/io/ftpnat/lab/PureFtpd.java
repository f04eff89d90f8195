package io.ftpnat.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * pure-ftpd, the lab's second server, unpacked from its Debian package into a project-local
 * directory by scripts/install-deps (it conflicts with vsftpd as a package). It runs with one
 * virtual user (puredb) whose home is the served directory, passive ports 30000-30100. It logs
 * only to syslog, so what it received is read from a capture on the server's interface.
 */
public final class PureFtpd implements FtpServer {
    public static final String HOME = System.getProperty("ftpnat.pureftpd.home",
            System.getenv().getOrDefault("PUREFTPD_DIR", "/opt/ftpnat-lab/pure-ftpd"));
    public static final String USER = "lab";
    public static final String PASSWORD = "lab";

    private final int port;
    private final List<ServedFile> files;
    private final BackgroundProcess process;

    private PureFtpd(int port, List<ServedFile> files, BackgroundProcess process) {
        this.port = port;
        this.files = files;
        this.process = process;
    }

    public static String binary() { return HOME + "/usr/sbin/pure-ftpd"; }

    public static boolean installed() {
        return Cmd.onPath(binary()) && Cmd.onPath(HOME + "/usr/bin/pure-pw");
    }

    public static PureFtpd start(NamespaceLab lab, int port, java.util.Map<String, Integer> fileSizes) {
        Path base = lab.dir("pure-ftpd-" + port);
        Path pub = lab.dir("pure-ftpd-" + port + "/pub");
        List<ServedFile> files = new ArrayList<>();
        fileSizes.forEach((name, size) -> files.add(ServedFile.create(pub, name, size)));
        Path passwd = base.resolve("pureftpd.passwd");
        Path pdb = base.resolve("pureftpd.pdb");
        Cmd.runWithInput(Duration.ofSeconds(30), PASSWORD + "\n" + PASSWORD + "\n", HOME + "/usr/bin/pure-pw", "useradd", USER,
                "-u", "ftp", "-d", pub.toString(), "-f", passwd.toString(), "-m", "-F", pdb.toString()).check();
        BackgroundProcess p = lab.own(lab.server().start("pure-ftpd", base.resolve("pure-ftpd.out"), binary(),
                "-l", "puredb:" + pdb, "-S", "," + port, "-p", "30000:30100", "-E", "-H", "-A", "-u", "1",
                "-f", "none", "-g", base.resolve("pure-ftpd.pid").toString()));
        PureFtpd server = new PureFtpd(port, List.copyOf(files), p);
        FtpServer.awaitListening(lab.server(), port, p);
        return server;
    }

    @Override
    public String name() { return "pure-ftpd"; }

    @Override
    public int controlPort() { return port; }

    @Override
    public String user() { return USER; }

    @Override
    public String password() { return PASSWORD; }

    @Override
    public List<ServedFile> files() { return files; }

    @Override
    public List<String> commandsLogged() { return List.of(); }

    @Override
    public void close() { process.close(); }

    @Override
    public String toString() { return "pure-ftpd on port " + port; }
}
