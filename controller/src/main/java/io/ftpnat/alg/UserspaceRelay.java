package io.ftpnat.alg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data channels between families (IPv6 client, IPv4 server or the reverse), which the kernel
 * cannot translate: the daemon listens on the router's port, accepts the one connection from the
 * expected peer within the data timeout, connects to the target and copies both ways through a
 * direct buffer per direction (one copy in and out of the kernel per chunk, none on the Java
 * heap: the least Java allows without splice). Withdrawing a channel stops the listening; a
 * transfer already running goes on to its end.
 */
public final class UserspaceRelay implements DataChannelTable {
    private static final Logger log = LoggerFactory.getLogger(UserspaceRelay.class);
    static final int BUFFER = 256 * 1024;

    private final java.util.function.Supplier<Duration> acceptTimeout;
    private final Map<Long, ServerSocketChannel> listening = new ConcurrentHashMap<>();

    public UserspaceRelay(Duration acceptTimeout) {
        this(() -> acceptTimeout);
    }

    /** With the data timeout of the policy in force, read at each install. */
    public UserspaceRelay(java.util.function.Supplier<Duration> acceptTimeout) {
        this.acceptTimeout = acceptTimeout;
    }

    @Override
    public void install(DataChannel c) throws IOException {
        ServerSocketChannel ss = ServerSocketChannel.open();
        try {
            ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            ss.bind(new InetSocketAddress(c.match().destination(), c.match().port()), 1);
            ss.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, acceptTimeout.get().toMillis()));
        } catch (IOException e) {
            ss.close();
            throw new IOException("cannot listen for data channel " + c + ": " + e.getMessage(), e);
        }
        listening.put(c.id(), ss);
        Thread t = new Thread(null, () -> serve(c, ss), "alg-relay-" + c.id(), ProxySession.THREAD_STACK);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void remove(DataChannel c) {
        ServerSocketChannel ss = listening.remove(c.id());
        if (ss != null) {
            close(ss);
        }
    }

    private void serve(DataChannel c, ServerSocketChannel ss) {
        SocketChannel in = null;
        try {
            long deadline = System.nanoTime() + acceptTimeout.get().toNanos();
            while (in == null && System.nanoTime() < deadline) {
                // blocking accept through the socket adaptor, so SO_TIMEOUT bounds it
                SocketChannel a = ss.socket().accept().getChannel();
                InetSocketAddress peer = Addresses.unmapped((InetSocketAddress) a.getRemoteAddress());
                if (peer.getAddress().equals(c.match().source())) {
                    in = a;
                } else {
                    // only the session's own peer may use its channel (no third party, as in the kernel path)
                    log.warn("data channel {}: connection from {} refused (expected {})", c.id(), Addresses.endpoint(peer),
                            Addresses.text(c.match().source()));
                    a.close();
                }
            }
        } catch (SocketTimeoutException e) {
            log.info("data channel {}: nobody came within {} s", c.id(), acceptTimeout.get().toSeconds());
        } catch (IOException e) {
            log.debug("data channel {}: {}", c.id(), e.getMessage()); // withdrawn (closed) or failed
        } finally {
            listening.remove(c.id(), ss);
            close(ss);
        }
        if (in == null) {
            return;
        }
        try (SocketChannel client = in; SocketChannel out = SocketChannel.open()) {
            if (c.snatTo().isPresent()) {
                out.bind(new InetSocketAddress(c.snatTo().get(), 0));
            }
            out.socket().connect(new InetSocketAddress(c.target(), c.targetPort()), ProxyServer.CONNECT_TIMEOUT_MS);
            log.debug("data channel {} relayed: {} -> {}", c.id(), client.getRemoteAddress(), out.getRemoteAddress());
            Thread back = new Thread(null, () -> copy(out, client), "alg-relay-" + c.id() + "-back", ProxySession.THREAD_STACK);
            back.setDaemon(true);
            back.start();
            copy(client, out);
            back.join(Duration.ofHours(24).toMillis());
        } catch (IOException e) {
            log.info("data channel {}: relay ended: {}", c.id(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies until EOF, then half-closes the other side so the peer sees the end of the data. */
    static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // the other direction's end, or a reset: either way this direction is done
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static void close(ServerSocketChannel ss) {
        try {
            ss.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
