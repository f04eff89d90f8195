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
    private final Path root;

    private PureFtpd(int port, List<ServedFile> files, BackgroundProcess process, Path root) {
        this.root = root;
        this.port = port;
        this.files = files;
        this.process = process;
    }

    public static String binary() { return HOME + "/usr/sbin/pure-ftpd"; }

    public static boolean installed() {
        return Cmd.onPath(binary()) && Cmd.onPath(HOME + "/usr/bin/pure-pw") && Cmd.onPath("openssl");
    }

    public static PureFtpd start(NamespaceLab lab, int port, java.util.Map<String, Integer> fileSizes) {
        Path base = lab.dir("pure-ftpd-" + port);
        Path pub = lab.dir("pure-ftpd-" + port + "/pub");
        List<ServedFile> files = new ArrayList<>();
        fileSizes.forEach((name, size) -> files.add(ServedFile.create(pub, name, size)));
        Path passwd = base.resolve("pureftpd.passwd");
        Path pdb = base.resolve("pureftpd.pdb");
        // A SHA-512 crypt hash written directly: pure-pw's default (argon2id) costs ~2 s per login.
        String hash = Cmd.run(Duration.ofSeconds(10), "openssl", "passwd", "-6", "-salt", "ftpnatlab", PASSWORD)
                .check().out().trim();
        String uid = Cmd.run("id", "-u", "ftp").ok() ? Cmd.run("id", "-u", "ftp").out().trim() : "65534";
        String gid = Cmd.run("id", "-g", "ftp").ok() ? Cmd.run("id", "-g", "ftp").out().trim() : "65534";
        try {
            java.nio.file.Files.writeString(passwd, USER + ":" + hash + ":" + uid + ":" + gid + "::" + pub + "/./::::::::::::\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Cmd.run(Duration.ofSeconds(30), HOME + "/usr/bin/pure-pw", "mkdb", pdb.toString(), "-f", passwd.toString()).check();
        BackgroundProcess p = lab.own(lab.server().start("pure-ftpd", base.resolve("pure-ftpd.out"), binary(),
                "-l", "puredb:" + pdb, "-S", "," + port, "-p", "30000:30100", "-E", "-H", "-A", "-u", "1",
                "-f", "none", "-g", base.resolve("pure-ftpd.pid").toString()));
        PureFtpd server = new PureFtpd(port, List.copyOf(files), p, pub);
        FtpServer.awaitListening(lab.server(), port, p);
        return server;
    }

    @Override
    public String name() { return "pure-ftpd"; }

    @Override
    public Path root() { return root; }

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
