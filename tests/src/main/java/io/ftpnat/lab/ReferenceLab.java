package io.ftpnat.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference lab in use: the namespaces, the FTP server(s) in the server namespace, the daemon
 * with a policy in the router namespace, and the three clients in the client namespace. Closing it
 * closes everything (the {@link NamespaceLab} owns every process).
 */
public final class ReferenceLab implements AutoCloseable {
    /** The files every lab server serves: two, so one session can fetch two (two data connections). */
    public static final Map<String, Integer> FILES = new LinkedHashMap<>(Map.of("one.bin", 300_000, "two.bin", 123_457));

    private final NamespaceLab lab;
    private final List<FtpServer> servers = new ArrayList<>();
    private Daemon daemon;
    private int runs;

    private ReferenceLab(NamespaceLab lab) { this.lab = lab; }

    public static ReferenceLab create() { return new ReferenceLab(NamespaceLab.create()); }

    /** A reference lab whose router firewall accepts new control connections to these ports. */
    public static ReferenceLab create(int... firewallControlPorts) {
        return new ReferenceLab(NamespaceLab.create(firewallControlPorts));
    }

    /** Starts a server of that kind on the port in the server namespace. */
    public FtpServer startServer(ServerKind kind, int port) {
        FtpServer s = kind.start(lab, port, FILES);
        servers.add(s);
        return s;
    }

    /** Starts ProFTPD (project-local, not a {@link ServerKind}: the kernel-mode matrices run vsftpd and pure-ftpd). */
    public FtpServer startProftpd(int port) {
        FtpServer s = ProFtpd.start(lab, port, FILES);
        servers.add(s);
        return s;
    }

    /** Starts bin/ftpnatd with the policy in the router namespace; waits for "policy applied". */
    public Daemon startDaemon(Path policy) {
        daemon = Daemon.start(lab, policy);
        return daemon;
    }

    /** As {@link #startDaemon(Path)}, with more {@code ftpnatd run} options. */
    public Daemon startDaemon(Path policy, String... options) {
        daemon = Daemon.start(lab, policy, options);
        return daemon;
    }

    public NamespaceLab lab() { return lab; }

    /** The first server started. */
    public FtpServer server() { return servers.get(0); }

    /** The server listening on that control port. */
    public FtpServer server(int port) {
        return servers.stream().filter(s -> s.controlPort() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no server on port " + port));
    }

    public Daemon daemon() { return daemon; }

    public RouterState router() { return lab.routerState(); }

    public FtpClient curl() { return new CurlClient(lab.client()); }

    public FtpClient lftp() { return new LftpClient(lab.client()); }

    public FtpClient python() { return new PythonFtpClient(lab.client()); }

    /** Runs a client job with a fresh download directory. */
    public ClientRun run(FtpClient client, FtpJob job) {
        Path dir = lab.dir("downloads/" + (++runs) + "-" + client.name());
        return client.run(job, dir);
    }

    /** Starts a capture on the server's interface: what the server saw on the wire. */
    public PacketCapture captureAtServer(String label) {
        return PacketCapture.start(lab, lab.server(), Topology.SERVER_IF, label + "-s0");
    }

    /** Starts a capture on a router interface (r0 inside, r1 outside). */
    public PacketCapture captureAtRouter(String iface, String label) {
        return PacketCapture.start(lab, lab.router(), iface, label + "-" + iface);
    }

    @Override
    public void close() { lab.close(); }
}
