package io.ftpnat.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in daemon for the CDS training run (build time only): it answers every command with a
 * well-formed minimal reply — a result, or a stream of one item — so the training run goes down
 * each command's success path (socket connected, replies parsed, items printed) and the archive
 * holds those classes and lambdas too, not only the error path a missing socket exercises.
 * Answers one connection at a time; its thread is a daemon thread and ends with the JVM.
 */
final class CdsTrainingDaemon implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    private static final Pattern CMD = Pattern.compile("\"cmd\":\"([a-z.]+)\"");
    private static final int MAX_REQUEST = 64 * 1024;

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;

    private CdsTrainingDaemon(Path dir) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("ftpnat.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(this::serve, "cds-training-daemon");
        t.setDaemon(true);
        t.start();
    }

    static CdsTrainingDaemon start() throws IOException {
        return new CdsTrainingDaemon(Files.createTempDirectory("ftpnatctl-cds"));
    }

    Path socket() {
        return socket;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                String request = readLine(c);
                if (request != null) {
                    c.write(ByteBuffer.wrap(answer(request).getBytes(StandardCharsets.UTF_8)));
                }
            } catch (IOException | RuntimeException e) {
                // closed, or a client that went away: next
            }
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MAX_REQUEST);
        while (b.hasRemaining() && c.read(b) > 0) {
            for (int i = 0; i < b.position(); i++) {
                if (b.get(i) == '\n') {
                    return new String(b.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    static String answer(String request) {
        Matcher id = ID.matcher(request);
        Matcher cmd = CMD.matcher(request);
        String n = id.find() ? id.group(1) : "1";
        String command = cmd.find() ? cmd.group(1) : "";
        String head = "{\"v\":1,\"id\":" + n + ",\"ok\":true,";
        if (command.endsWith(".list") || command.equals("sessions")) {
            String item = request.contains("\"format\":\"conntrack\"")
                    ? "{\"item\":{\"line\":\"tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=21 [ASSURED] mark=0 use=1\"}}"
                    : "{\"item\":{\"protocol\":\"tcp\",\"state\":\"ESTABLISHED\",\"timeout\":1,\"helper\":\"ftp\","
                    + "\"original\":{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"sport\":1,\"dport\":21},"
                    + "\"reply\":{\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\",\"sport\":21,\"dport\":1}}}";
            return head + "\"stream\":\"begin\"}\n" + item + "\n{\"v\":1,\"id\":" + n + ",\"end\":true,\"count\":1}\n";
        }
        if (command.equals("conntrack.count")) {
            return head + "\"result\":{\"count\":1}}\n";
        }
        return head + "\"result\":{\"state\":\"ready\",\"version\":\"x\",\"kernel\":{\"nat\":true},"
                + "\"policy\":{\"digest\":\"0\"},\"counts\":{\"conntrack_entries\":1}}}\n";
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind by a build step
        }
    }
}
