package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The repair scenario of the reference lab: vsftpd on the server at port {@value #PORT} advertises
 * {@value #ADVERTISED} in its 227 (its public address behind its own NAT, in the story), the
 * router publishes it by DNAT at 10.10.10.1:{@value #PORT} and lets the LAN out by SNAT, and
 * routes {@value #ADVERTISED} towards the server, so a client that trusts the 227 sends its SYN
 * there through the router. Used by the session-repair and hold suites and the hold benchmark.
 */
public final class WrongPasvAddress {
    public static final int PORT = 2121;
    public static final String ADVERTISED = "198.51.100.9";

    private WrongPasvAddress() {
    }

    /** Starts the misconfigured vsftpd on the server and routes the advertised address towards it. */
    public static FtpServer start(NamespaceLab lab) {
        FtpServer server = lab.own(Vsftpd.start(lab, PORT, ReferenceLab.FILES,
                Map.of("pasv_address", ADVERTISED, "pasv_addr_resolve", "NO", "listen", "YES", "listen_ipv6", "NO")));
        lab.router().run("ip", "route", "add", ADVERTISED + "/32", "via", Topology.SERVER_V4);
        return server;
    }

    /** Writes the policy (SNAT lan, DNAT published to the server's port) to {@code file}; control ports 21, {@value #PORT} and {@code more}. */
    public static Path policy(Path file, int... more) {
        String ports = IntStream.concat(IntStream.of(21, PORT), IntStream.of(more)).mapToObj(Integer::toString)
                .collect(Collectors.joining(", "));
        try {
            Files.writeString(file, """
                    version: 1
                    control_ports: [%s]
                    snat:
                      - name: lan
                        source: 10.10.10.0/24
                        out_interface: r1
                        to: masquerade
                    dnat:
                      - name: published
                        in_interface: r0
                        destination: 10.10.10.1
                        port: %d
                        to: 192.168.10.115:%d
                    """.formatted(ports, PORT, PORT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
