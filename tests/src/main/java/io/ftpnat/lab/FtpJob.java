package io.ftpnat.lab;

import java.time.Duration;
import java.util.List;

/**
 * What a client is asked to do in one control session: log in to host:port, use the data mode
 * for every transfer, download the files in order and, if asked, LIST the directory.
 */
public record FtpJob(String host, int port, String user, String password, DataMode mode,
                     List<String> files, boolean list, Duration timeout) {

    public static FtpJob download(FtpServer server, String host, DataMode mode, String... files) {
        return new FtpJob(host, server.controlPort(), server.user(), server.password(), mode, List.of(files), false,
                Duration.ofSeconds(20));
    }

    public FtpJob withList() { return new FtpJob(host, port, user, password, mode, files, true, timeout); }

    public FtpJob withPort(int p) { return new FtpJob(host, p, user, password, mode, files, list, timeout); }

    public FtpJob withTimeout(Duration t) { return new FtpJob(host, port, user, password, mode, files, list, t); }

    /** host:port, with brackets for IPv6, as URLs want it. */
    public String authority() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }

    public boolean ipv6() { return host.contains(":"); }
}
