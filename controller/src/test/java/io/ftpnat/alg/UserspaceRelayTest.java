package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relayed data channel withdrawn at the transfer's end ("226") while the server's data
 * connection waits in the router's accept queue with the whole file in it: the ALG reads the
 * server's 226 on the control connection in the same loop round in which the data connection
 * became ready, before accepting it. On loopback: the "server" connects to the router's port and
 * sends everything, then the channel is withdrawn, all before the loop gets to accept; the
 * "client" (the relay's target) must still receive the file.
 */
@Timeout(30)
class UserspaceRelayTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void aChannelWithdrawnAtTheTransfersEndStillRelaysTheConnectionThatHadArrived() throws Exception {
        byte[] file = "the whole file, sent before the 226".getBytes(StandardCharsets.ISO_8859_1);
        SelectorLoop loop = new SelectorLoop("relay-test");
        int routerPort;
        try (ServerSocket free = new ServerSocket(0, 1, LO)) {
            routerPort = free.getLocalPort();
        }
        try (ServerSocket client = new ServerSocket(0, 1, LO)) {
            client.setSoTimeout(10_000);
            IpAddress lo = IpAddress.of(LO);
            ChannelElement c = new ChannelElement(1, 1, ChannelElement.Kind.ACTIVE, new FlowKey(lo, lo, routerPort), lo, client.getLocalPort(),
                    Optional.empty(), ChannelElement.Path.RELAYED, Instant.now());
            UserspaceRelay relay = new UserspaceRelay(Duration.ofSeconds(10));
            // one loop task: no select round between the server's connection and the withdrawal
            CompletableFuture.runAsync(() -> {
                try {
                    relay.install(c);
                    try (Socket server = new Socket(LO, routerPort); OutputStream out = server.getOutputStream()) {
                        out.write(file); // the kernel completed the connection: it waits in the accept queue
                    }
                    relay.remove(c); // the 226 came first
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, loop::execute).join();

            try (Socket relayed = client.accept(); InputStream in = relayed.getInputStream()) {
                assertThat(in.readAllBytes()).as("the file the server had sent, relayed after all").isEqualTo(file);
            }
        } finally {
            loop.close();
        }
    }
}
