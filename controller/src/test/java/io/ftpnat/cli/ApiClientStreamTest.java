package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon's streamed answer, as the CLI copies it to stdout: lines that lie whole in a read buffer,
 * lines that straddle two reads (longer than the buffer, too), and lines with JSON escapes, which
 * must be decoded rather than copied. The output is what decoding every line would print.
 */
class ApiClientStreamTest {
    @TempDir
    Path dir;

    /** A stand-in daemon that answers one connection with {@code answer} after reading the request. */
    private Path serve(String answer) throws Exception {
        Path socket = dir.resolve("d.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                while (c.read(in) > 0 && in.get(in.position() - 1) != '\n') {
                    // the request, up to its newline
                }
                ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    c.write(out);
                }
            } catch (Exception e) {
                // the test's assertions say what went wrong
            }
        });
        t.setDaemon(true);
        t.start();
        return socket;
    }

    private static String item(String line) {
        return "{\"item\":{\"line\":\"" + line + "\"}}\n";
    }

    @Test
    void conntrackLinesAreCopiedWhateverTheirPlaceInTheReadBuffer() throws Exception {
        StringBuilder answer = new StringBuilder("{\"v\":1,\"id\":1,\"ok\":true,\"stream\":\"begin\"}\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 3000; i++) { // ~100 bytes each: many lines straddle the 64 KiB reads
            String line = "tcp      6 " + i + " ESTABLISHED src=10.0.0." + (i % 250) + " dst=10.0.0.2 sport=" + (1024 + i) + " dport=21";
            answer.append(item(line));
            expected.append(line).append('\n');
        }
        String huge = "x".repeat(200_000); // longer than the read buffer
        answer.append(item(huge));
        expected.append(huge).append('\n');
        answer.append(item("helper=\\\"ftp\\\" caf\\u00e9 back\\\\slash")); // escapes: decoded, not copied
        expected.append("helper=\"ftp\" café back\\slash\n");
        answer.append("{\"item\":{\"line\":\"\"}}\n"); // an empty line is copied as one (as before)
        expected.append('\n');
        answer.append("{\"v\":1,\"id\":1,\"end\":true,\"count\":3003}\n");

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        long n;
        try (ApiClient client = ApiClient.connect(serve(answer.toString()))) {
            n = client.streamLines("conntrack.list", client.args(), sink);
        }
        assertThat(n).isEqualTo(3003);
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    }

    @Test
    void jsonItemsAreCopiedWhateverTheirPlaceInTheReadBuffer() throws Exception {
        StringBuilder answer = new StringBuilder("{\"v\":1,\"id\":1,\"ok\":true,\"stream\":\"begin\"}\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String obj = "{\"protocol\":\"tcp\",\"timeout\":" + i + ",\"note\":\"a\\\"b\"}";
            answer.append("{\"item\":").append(obj).append("}\n");
            expected.append(obj).append('\n');
        }
        answer.append("{\"v\":1,\"id\":1,\"end\":true,\"count\":3000}\n");

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int[] restarts = {0};
        long n;
        try (ApiClient client = ApiClient.connect(serve(answer.toString()))) {
            n = client.streamItems("conntrack.list", client.args(), sink, () -> restarts[0]++);
        }
        assertThat(n).isEqualTo(3000);
        assertThat(restarts[0]).isZero();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    }
}
