package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relayed data channel on a selector loop, on loopback: the "client" peer talks to the router's
 * socket {@code x}, the "server" peer to the router's socket {@code y}, and the bridge joins x and
 * y. No thread per channel: the loop's thread carries both directions.
 */
@Timeout(30)
class ByteBridgeTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    SelectorLoop loop;
    SocketChannel clientPeer;
    SocketChannel serverPeer;
    SocketChannel x;
    SocketChannel y;

    @BeforeEach
    void joined() throws Exception {
        loop = new SelectorLoop("test-loop");
        try (ServerSocketChannel a = ServerSocketChannel.open().bind(new InetSocketAddress(LO, 0));
                ServerSocketChannel b = ServerSocketChannel.open().bind(new InetSocketAddress(LO, 0))) {
            clientPeer = SocketChannel.open(a.getLocalAddress());
            x = a.accept();
            serverPeer = SocketChannel.open(b.getLocalAddress());
            y = b.accept();
        }
        CompletableFuture.runAsync(() -> ByteBridge.join("test", x, y, loop), loop::execute).join();
    }

    @AfterEach
    void stop() throws Exception {
        clientPeer.close();
        serverPeer.close();
        loop.close();
    }

    @Test
    void aFileCrossesIntactAndEachEndIsPassedOnAsAHalfClose() throws Exception {
        byte[] file = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(file);
        CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
            try {
                clientPeer.write(ByteBuffer.wrap(file));
                clientPeer.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got;
        try (InputStream in = serverPeer.socket().getInputStream()) {
            serverPeer.write(ByteBuffer.wrap("226 the other way".getBytes(StandardCharsets.ISO_8859_1)));
            serverPeer.shutdownOutput();
            got = in.readAllBytes(); // ends at the client's half-close, passed on
        }
        upload.join();
        assertThat(Arrays.equals(got, file)).as("the server got the client's bytes, all of them, in order").isTrue();
        byte[] back = clientPeer.socket().getInputStream().readAllBytes();
        assertThat(new String(back, StandardCharsets.ISO_8859_1)).isEqualTo("226 the other way");
    }

    @Test
    void aPeerThatStopsReadingStallsOnlyTheDirectionTowardsIt() throws Exception {
        // the server peer never reads: the client's writes must stall (bounded buffers), and the
        // server → client direction must still work
        clientPeer.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long written = 0;
        int idle = 0;
        while (idle < 50 && written < 256L * 1024 * 1024) {
            chunk.clear();
            int n = clientPeer.write(chunk);
            written += n;
            idle = n == 0 ? idle + 1 : 0;
            if (n == 0) {
                Thread.sleep(10);
            }
        }
        assertThat(written).as("what the client could send while nobody read: socket buffers plus the bridge's bound")
                .isLessThan(64L * 1024 * 1024);
        serverPeer.write(ByteBuffer.wrap("150 still talking".getBytes(StandardCharsets.ISO_8859_1)));
        clientPeer.configureBlocking(true);
        ByteBuffer in = ByteBuffer.allocate(64);
        while (in.position() < 17) {
            assertThat(clientPeer.read(in)).isNotNegative();
        }
        assertThat(new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1)).isEqualTo("150 still talking");
    }
}
