package io.ftpnat.alg;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data channels between families (IPv6 client, IPv4 server or the reverse), which the kernel
 * cannot translate: the daemon listens on the router's port, accepts the one connection from the
 * expected peer within the data timeout, connects to the target and copies both ways. All of it
 * runs on the selector loop of the session that negotiated the channel ({@link DataListener},
 * {@link PendingConnect}, {@link ByteBridge}): no thread per channel, a bounded buffer per
 * direction. Withdrawing a channel stops the listening; a transfer already running goes on to its
 * end.
 */
public final class UserspaceRelay implements DataChannelTable {
    private static final Logger log = LoggerFactory.getLogger(UserspaceRelay.class);

    private final Supplier<Duration> acceptTimeout;
    private final Map<Long, DataListener> listening = new ConcurrentHashMap<>();

    public UserspaceRelay(Duration acceptTimeout) {
        this(() -> acceptTimeout);
    }

    /** With the data timeout of the policy in force, read at each install. */
    public UserspaceRelay(Supplier<Duration> acceptTimeout) {
        this.acceptTimeout = acceptTimeout;
    }

    /** On the session's loop thread (the dialogue negotiating the channel runs there). */
    @Override
    public void install(ChannelElement c) throws IOException {
        SelectorLoop loop = SelectorLoop.current().orElseThrow(() -> new IOException("data channel " + c.id()
                + ": a relayed channel is set up on a selector loop only"));
        ServerSocketChannel ss = ServerSocketChannel.open();
        try {
            ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            ss.bind(Addresses.socket(c.match().destination(), c.match().port()), 1); // socket edge
            DataListener l = DataListener.start("data channel " + c.id(), ss, c.match().source(), acceptTimeout.get(), loop,
                    in -> {
                        listening.remove(c.id());
                        connect(c, in, loop);
                    }, () -> listening.remove(c.id()));
            listening.put(c.id(), l);
        } catch (IOException e) {
            ss.close();
            throw new IOException("cannot listen for data channel " + c + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(ChannelElement c) {
        DataListener l = listening.remove(c.id());
        if (l != null) {
            l.cancel();
        }
    }

    /** The peer came: connects to the target without blocking the loop, then joins the two. */
    private static void connect(ChannelElement c, SocketChannel in, SelectorLoop loop) {
        String what = "data channel " + c.id();
        SocketChannel out = null;
        try {
            out = SocketChannel.open();
            out.configureBlocking(false);
            if (c.snatTo().isPresent()) {
                out.bind(Addresses.socket(c.snatTo().get(), 0)); // socket edge
            }
            SocketChannel up = out;
            if (out.connect(Addresses.socket(c.target(), c.targetPort()))) {
                ByteBridge.join(what, in, up, loop);
                return;
            }
            new PendingConnect(loop, out, ProxyServer.CONNECT_TIMEOUT_MS, new PendingConnect.Outcome() {
                @Override
                public void connected(SelectionKey key) {
                    log.debug("{} relayed to {}", what, Addresses.endpoint(c.target(), c.targetPort()));
                    ByteBridge.join(what, in, up, loop);
                }

                @Override
                public void failed(String reason) {
                    log.info("{}: relay ended: {}", what, reason);
                    quietly(in);
                    quietly(up);
                }
            }).register();
        } catch (IOException e) {
            log.info("{}: relay ended: {}", what, e.getMessage());
            quietly(in);
            quietly(out);
        }
    }

    static void quietly(SocketChannel s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
