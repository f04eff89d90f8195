package io.ftpnat.scenarios;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.Namespace;
import io.ftpnat.lab.PythonFtpClient;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** tests/src/test/resources/raw_ftp.py: the scripted client for forms no real client produces. */
final class RawClient {
    private RawClient() {}

    static Path script() {
        try {
            return Path.of(Objects.requireNonNull(RawClient.class.getResource("/raw_ftp.py")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a scenario of the script in {@code ns} against host:port as the server's user; its transcript. */
    static Cmd.Result run(Namespace ns, String scenario, String host, int port, FtpServer server, String file) {
        return ns.exec(Duration.ofSeconds(60), PythonFtpClient.python(), script().toString(), scenario, host,
                Integer.toString(port), server.user(), server.password(), file);
    }

    /** The replies the client received, in order ("< " lines without the marker). */
    static List<String> replies(Cmd.Result r) {
        return r.out().lines().filter(l -> l.startsWith("< ")).map(l -> l.substring(2)).toList();
    }
}
