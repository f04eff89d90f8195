package io.ftpnat.alg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data channel whose mode the ALG converted ({@code server_data_mode}): the client's side in
 * the mode the client chose, the server's in the mode the rule names. Both connections then leave
 * from the router (client active, server passive: the ALG connects to both) or both arrive at it
 * (client passive, server active: the ALG accepts both), and no NAT can join two such connections:
 * the daemon copies the data between them, as {@link UserspaceRelay} does for mixed families.
 *
 * <p>Only the session's own peers are accepted; nobody coming within the data timeout ends the
 * setup. Closing (a new negotiation, the transfer's end, the session's end) stops what is not yet
 * joined; a joined transfer goes on to its end, like a kernel-forwarded one.
 */
final class ConvertedChannel {
    private static final Logger log = LoggerFactory.getLogger(ConvertedChannel.class);

    private final long sessionId;
    private final String what;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Selector selector;
    private volatile boolean joined;

    private ConvertedChannel(long sessionId, String what, Selector selector) {
        this.sessionId = sessionId;
        this.what = what;
        this.selector = selector;
    }

    /** Client active, server passive: connects to the server's passive port and to the client's PORT address, then copies. */
    static ConvertedChannel connectBoth(long sessionId, InetSocketAddress server, InetAddress fromRouter, InetSocketAddress client,
            Optional<InetAddress> fromView) {
        ConvertedChannel c = new ConvertedChannel(sessionId, "active client " + Addresses.endpoint(client) + " <- passive server "
                + Addresses.endpoint(server), null);
        c.start(() -> {
            try (SocketChannel up = SocketChannel.open(); SocketChannel down = SocketChannel.open()) {
                up.bind(new InetSocketAddress(fromRouter, 0));
                up.socket().connect(server, ProxyServer.CONNECT_TIMEOUT_MS);
                if (c.closed.get()) {
                    return;
                }
                if (fromView.isPresent()) {
                    down.bind(new InetSocketAddress(fromView.get(), 0));
                }
                down.socket().connect(client, ProxyServer.CONNECT_TIMEOUT_MS);
                c.join(down, up);
            }
        });
        return c;
    }

    /**
     * Client passive, server active: accepts the server's connection on {@code forServer} (from
     * {@code server} only) and the client's on {@code forClient} (from {@code client} only), then
     * copies. Takes the two listening sockets (bound by the caller, so the ports are known at once).
     */
    static ConvertedChannel acceptBoth(long sessionId, ServerSocketChannel forServer, InetAddress server, ServerSocketChannel forClient,
            InetAddress client, Duration timeout) throws IOException {
        Selector selector = Selector.open();
        ConvertedChannel c = new ConvertedChannel(sessionId, "passive client " + Addresses.text(client) + " -> active server "
                + Addresses.text(server), selector);
        try {
            forServer.configureBlocking(false);
            forClient.configureBlocking(false);
            forServer.register(selector, SelectionKey.OP_ACCEPT, server);
            forClient.register(selector, SelectionKey.OP_ACCEPT, client);
        } catch (IOException e) {
            selector.close();
            throw e;
        }
        c.start(() -> {
            SocketChannel fromServer = null;
            SocketChannel fromClient = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            try (selector; forServer; forClient) {
                while ((fromServer == null || fromClient == null) && !c.closed.get()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        log.info("session {}: converted data channel ({}): nobody came within {} s", sessionId, c.what, timeout.toSeconds());
                        closeQuietly(fromServer);
                        closeQuietly(fromClient);
                        return;
                    }
                    selector.select(left);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel a = ((ServerSocketChannel) k.channel()).accept();
                        if (a == null) {
                            continue;
                        }
                        InetAddress expected = (InetAddress) k.attachment();
                        InetAddress peer = Addresses.unmapped((InetSocketAddress) a.getRemoteAddress()).getAddress();
                        boolean serverSide = k.channel() == forServer;
                        if (!peer.equals(expected) || (serverSide ? fromServer : fromClient) != null) {
                            // only the session's own peer, once: no third party, as in the kernel path
                            log.warn("session {}: converted data channel: connection from {} refused (expected {})", sessionId,
                                    Addresses.text(peer), Addresses.text(expected));
                            a.close();
                        } else if (serverSide) {
                            fromServer = a;
                        } else {
                            fromClient = a;
                        }
                    }
                    selector.selectedKeys().clear();
                }
                if (fromServer == null || fromClient == null) {
                    closeQuietly(fromServer);
                    closeQuietly(fromClient);
                    return;
                }
            }
            try (SocketChannel s = fromServer; SocketChannel cl = fromClient) {
                s.configureBlocking(true);
                cl.configureBlocking(true);
                c.join(cl, s);
            }
        });
        return c;
    }

    private interface Setup {
        void run() throws IOException;
    }

    private void start(Setup setup) {
        Thread t = new Thread(null, () -> {
            org.slf4j.MDC.put("session", "proxy-" + sessionId);
            try {
                setup.run();
            } catch (IOException e) {
                log.info("session {}: converted data channel ({}): {}", sessionId, what, e.getMessage());
            } catch (VirtualMachineError e) {
                Fatal.halt("session " + sessionId + " converted data channel", e);
            } catch (RuntimeException e) {
                log.warn("session {}: converted data channel ({}): {}", sessionId, what, e.toString());
            }
        }, "alg-convert-" + sessionId, ProxySession.THREAD_STACK);
        t.setDaemon(true);
        t.start();
    }

    /** Copies both ways until both ends are done; the calling thread takes the client → server direction. */
    private void join(SocketChannel client, SocketChannel server) {
        joined = true;
        log.debug("session {}: converted data channel joined ({})", sessionId, what);
        Thread back = new Thread(null, () -> UserspaceRelay.copy(server, client), "alg-convert-" + sessionId + "-back",
                ProxySession.THREAD_STACK);
        back.setDaemon(true);
        back.start();
        UserspaceRelay.copy(client, server);
        try {
            back.join(Duration.ofHours(24).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops a setup not yet joined; a joined transfer runs to its end. */
    void close() {
        if (closed.compareAndSet(false, true) && !joined && selector != null) {
            selector.wakeup();
        }
    }

    private static void closeQuietly(SocketChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return what;
    }
}
