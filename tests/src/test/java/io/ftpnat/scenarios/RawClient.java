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

    /** The reply codes received between the first line {@code from} and the next line {@code to} (both sent lines); empty if either is missing. */
    static List<String> codesBetween(Cmd.Result r, String from, String to) {
        List<String> lines = r.out().lines().toList();
        int i = lines.indexOf(from);
        if (i < 0) return List.of();
        int j = lines.subList(i + 1, lines.size()).indexOf(to);
        if (j < 0) return List.of();
        return lines.subList(i + 1, i + 1 + j).stream().filter(l -> l.startsWith("< ") && l.length() >= 5)
                .map(l -> l.substring(2, 5)).toList();
    }
}
