package io.ftpnat.lab;

import java.util.List;

/** A real FTP server running in the lab's server namespace. */
public interface FtpServer extends AutoCloseable {
    /** "vsftpd", "pure-ftpd". */
    String name();

    int controlPort();

    /** The directory it serves. */
    java.nio.file.Path root();

    String user();

    String password();

    /** The files it serves, by name. */
    List<ServedFile> files();

    default ServedFile file(String name) {
        return files().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not served: " + name));
    }

    /**
     * The FTP commands the server logged as received, in order ("PORT 192,168,10,114,156,65"), when
     * the server can log them; empty otherwise (then a capture on the server's interface is the view).
     */
    List<String> commandsLogged();

    @Override
    void close();

    /** Waits (bounded) until something listens on the TCP port inside the namespace. */
    static void awaitListening(Namespace ns, int port, BackgroundProcess proc) {
        for (int i = 0; i < 100; i++) {
            Cmd.Result r = ns.exec("ss", "-Hltn", "sport = :" + port);
            if (r.ok() && !r.out().isBlank()) return;
            if (!proc.alive()) throw new LabException(proc.name() + " exited:\n" + proc.log());
            BackgroundProcess.sleep(50);
        }
        throw new LabException(proc.name() + " does not listen on " + port + " after 5 s:\n" + proc.log());
    }
}
