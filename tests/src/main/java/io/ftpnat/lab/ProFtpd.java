package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ProFTPD 1.3.8, unpacked with its libraries from the Debian packages into a project-local
 * directory by scripts/install-deps (proftpd-core conflicts with vsftpd as a package). Anonymous
 * and read-only like the lab's vsftpd, passive ports 41000-41100, IPv4 and IPv6, and every command
 * with its reply code in an ExtendedLog, so a test reads what the server received. Its banner
 * names it ("ProFTPD Server (lab)") — what {@code mask_banner} hides.
 */
public final class ProFtpd implements FtpServer {
    public static final String HOME = System.getProperty("ftpnat.proftpd.home",
            System.getenv().getOrDefault("PROFTPD_DIR", "/opt/ftpnat-lab/proftpd"));
    private static final Pattern COMMAND = Pattern.compile("\\] \"(.*)\" \\d{3} ");

    private final int port;
    private final List<ServedFile> files;
    private final Path commandLog;
    private final BackgroundProcess process;
    private final Path root;

    private ProFtpd(int port, List<ServedFile> files, Path commandLog, BackgroundProcess process, Path root) {
        this.port = port;
        this.files = files;
        this.commandLog = commandLog;
        this.process = process;
        this.root = root;
    }

    public static String binary() { return HOME + "/usr/sbin/proftpd"; }

    public static boolean installed() { return Cmd.onPath(binary()); }

    public static ProFtpd start(NamespaceLab lab, int port, Map<String, Integer> fileSizes) {
        return start(lab, port, fileSizes, "");
    }

    /**
     * Same, with more directives for the anonymous login, e.g. {@code <Limit PASV EPSV> DenyAll
     * </Limit>} for a server that takes only active data connections.
     */
    public static ProFtpd start(NamespaceLab lab, int port, Map<String, Integer> fileSizes, String anonymousExtra) {
        Path base = lab.dir("proftpd-" + port);
        Path pub = lab.dir("proftpd-" + port + "/pub");
        List<ServedFile> files = new ArrayList<>();
        fileSizes.forEach((name, size) -> files.add(ServedFile.create(pub, name, size)));
        Path commandLog = base.resolve("commands.log");
        String conf = """
                ServerName "lab"
                ServerType standalone
                DefaultServer on
                Port %d
                UseIPv6 on
                DefaultAddress %s
                SocketBindTight off
                User nobody
                Group nogroup
                PidFile %s/proftpd.pid
                ScoreboardFile %s/proftpd.scoreboard
                DelayTable none
                WtmpLog off
                UseReverseDNS off
                PassivePorts 41000 41100
                TransferLog %s/xfer.log
                SystemLog %s/system.log
                ExtendedLog %s ALL
                <Anonymous %s>
                  User ftp
                  Group nogroup
                  UserAlias anonymous ftp
                  RequireValidShell off
                  <Limit WRITE>
                    DenyAll
                  </Limit>
                %s
                </Anonymous>
                """.formatted(port, Topology.SERVER_V4, base, base, base, base, commandLog, pub, anonymousExtra);
        Path confFile = base.resolve("proftpd.conf");
        try {
            Files.writeString(confFile, conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackgroundProcess p = lab.own(lab.server().start("proftpd", base.resolve("proftpd.out"), "env",
                "LD_LIBRARY_PATH=" + HOME + "/usr/lib/x86_64-linux-gnu", binary(), "-n", "-c", confFile.toString()));
        ProFtpd server = new ProFtpd(port, List.copyOf(files), commandLog, p, pub);
        FtpServer.awaitListening(lab.server(), port, p);
        return server;
    }

    @Override
    public String name() { return "proftpd"; }

    @Override
    public Path root() { return root; }

    @Override
    public int controlPort() { return port; }

    @Override
    public String user() { return "anonymous"; }

    @Override
    public String password() { return "lab@"; }

    @Override
    public List<ServedFile> files() { return files; }

    /** Commands as ProFTPD's ExtendedLog has them ("PASS (hidden)" for the password). */
    @Override
    public List<String> commandsLogged() {
        List<String> out = new ArrayList<>();
        try {
            if (Files.exists(commandLog)) {
                for (String line : Files.readAllLines(commandLog)) {
                    Matcher m = COMMAND.matcher(line);
                    if (m.find()) out.add(m.group(1));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    @Override
    public void close() { process.close(); }

    @Override
    public String toString() { return "proftpd on port " + port; }
}
