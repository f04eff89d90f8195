package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vsftpd (the Debian package) in the server namespace: anonymous, read-only, IPv4 and IPv6 on one
 * socket, active-mode data connections from port 20, passive ports 40000-40100, and the FTP
 * protocol logged (every command and reply) so a test can read what the server received.
 */
public final class Vsftpd implements FtpServer {
    public static final String BINARY = "/usr/sbin/vsftpd";
    private static final Pattern COMMAND = Pattern.compile("FTP command: Client \"([^\"]*)\", \"(.*)\"$");

    private final int port;
    private final List<ServedFile> files;
    private final Path protocolLog;
    private final BackgroundProcess process;
    private final Path root;

    private Vsftpd(int port, List<ServedFile> files, Path protocolLog, BackgroundProcess process, Path root) {
        this.root = root;
        this.port = port;
        this.files = files;
        this.protocolLog = protocolLog;
        this.process = process;
    }

    /** Starts vsftpd on {@code port} serving the given files (name → size in bytes). */
    public static Vsftpd start(NamespaceLab lab, int port, java.util.Map<String, Integer> fileSizes) {
        return start(lab, port, fileSizes, java.util.Map.of());
    }

    /**
     * Same, with configuration settings added or replaced (e.g. {@code pasv_address},
     * {@code pasv_min_port}): the benchmark's relayed instance uses them.
     */
    public static Vsftpd start(NamespaceLab lab, int port, java.util.Map<String, Integer> fileSizes,
                               java.util.Map<String, String> overrides) {
        Path base = lab.dir("vsftpd-" + port);
        Path pub = lab.dir("vsftpd-" + port + "/pub");
        Path empty = lab.dir("vsftpd-" + port + "/empty");
        List<ServedFile> files = new ArrayList<>();
        fileSizes.forEach((name, size) -> files.add(ServedFile.create(pub, name, size)));
        Path protocolLog = base.resolve("vsftpd.log");
        String conf = """
                listen=NO
                listen_ipv6=YES
                listen_port=%d
                background=NO
                anonymous_enable=YES
                no_anon_password=YES
                anon_root=%s
                local_enable=NO
                write_enable=NO
                connect_from_port_20=YES
                ftp_data_port=20
                pasv_enable=YES
                pasv_min_port=40000
                pasv_max_port=40100
                secure_chroot_dir=%s
                seccomp_sandbox=NO
                isolate_network=NO
                vsftpd_log_file=%s
                log_ftp_protocol=YES
                xferlog_enable=YES
                dual_log_enable=NO
                syslog_enable=NO
                connect_timeout=10
                """.formatted(port, pub, empty, protocolLog);
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        conf.lines().filter(l -> l.contains("=")).forEach(l -> settings.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        settings.putAll(overrides);
        StringBuilder merged = new StringBuilder();
        settings.forEach((k, v) -> merged.append(k).append('=').append(v).append('\n'));
        conf = merged.toString();
        Path confFile = base.resolve("vsftpd.conf");
        try {
            Files.writeString(confFile, conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackgroundProcess p = lab.own(lab.server().start("vsftpd", base.resolve("vsftpd.out"), BINARY, confFile.toString()));
        Vsftpd server = new Vsftpd(port, List.copyOf(files), protocolLog, p, pub);
        FtpServer.awaitListening(lab.server(), port, p);
        return server;
    }

    @Override
    public String name() { return "vsftpd"; }

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

    /** Commands as logged by vsftpd, each prefixed by the client address it saw: "192.168.10.114 PORT …". */
    public List<String> commandsWithClient() {
        List<String> out = new ArrayList<>();
        for (String line : readLog()) {
            Matcher m = COMMAND.matcher(line);
            if (m.find()) out.add(m.group(1).replace("::ffff:", "") + " " + m.group(2));
        }
        return out;
    }

    @Override
    public List<String> commandsLogged() {
        return commandsWithClient().stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList();
    }

    private List<String> readLog() {
        try {
            return Files.exists(protocolLog) ? Files.readAllLines(protocolLog) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() { process.close(); }

    @Override
    public String toString() { return "vsftpd on port " + port; }
}
