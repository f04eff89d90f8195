package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data channel whose mode the ALG converted ({@code server_data_mode}): the client's side in
 * the mode the client chose, the server's in the mode the rule names. Both connections then leave
 * from the router (client active, server passive: the ALG connects to both) or both arrive at it
 * (client passive, server active: the ALG accepts both), and no NAT can join two such connections:
 * the daemon copies the data between them ({@link ByteBridge}), as {@link UserspaceRelay} does for
 * mixed families. Everything runs on the session's selector loop: no thread per channel.
 *
 * <p>Only the session's own peers are accepted; nobody coming within the data timeout ends the
 * setup. Closing (a new negotiation, the transfer's end, the session's end) stops what is not yet
 * joined; a joined transfer goes on to its end, like a kernel-forwarded one. State is touched on
 * the loop's thread only.
 */
final class ConvertedChannel {
    private static final Logger log = LoggerFactory.getLogger(ConvertedChannel.class);

    private final long sessionId;
    private final String what;
    private final SelectorLoop loop;
    private SocketChannel clientSide;
    private SocketChannel serverSide;
    private DataListener forServer;
    private DataListener forClient;
    private boolean joined;
    private boolean closed;

    private ConvertedChannel(long sessionId, String what, SelectorLoop loop) {
        this.sessionId = sessionId;
        this.what = what;
        this.loop = loop;
    }

    /** Client active, server passive: connects to the server's passive port, then to the client's PORT address, then copies. */
    static ConvertedChannel connectBoth(long sessionId, InetSocketAddress server, IpAddress fromRouter, InetSocketAddress client,
            Optional<IpAddress> fromView, SelectorLoop loop) {
        ConvertedChannel c = new ConvertedChannel(sessionId, "active client " + Addresses.endpoint(client) + " <- passive server "
                + Addresses.endpoint(server), loop);
        try {
            c.serverSide = open(Optional.of(fromRouter));
            c.connect(c.serverSide, server, () -> {
                try {
                    c.clientSide = open(fromView);
                    c.connect(c.clientSide, client, c::joinIfBoth);
                } catch (IOException e) {
                    c.fail(e.getMessage());
                }
            });
        } catch (IOException e) {
            c.fail(e.getMessage());
        }
        return c;
    }

    /**
     * Client passive, server active: accepts the server's connection on {@code serverPort} (from
     * {@code server} only) and the client's on {@code clientPort} (from {@code client} only), then
     * copies. Takes the two listening sockets (bound by the caller, so the ports are known at once).
     */
    static ConvertedChannel acceptBoth(long sessionId, ServerSocketChannel serverPort, IpAddress server, ServerSocketChannel clientPort,
            IpAddress client, Duration timeout, SelectorLoop loop) throws IOException {
        ConvertedChannel c = new ConvertedChannel(sessionId, "passive client " + Addresses.text(client) + " -> active server "
                + Addresses.text(server), loop);
        String label = "session " + sessionId + ": converted data channel";
        try {
            c.forServer = DataListener.start(label, serverPort, server, timeout, loop, s -> {
                c.serverSide = s;
                c.joinIfBoth();
            }, () -> c.fail(null));
            c.forClient = DataListener.start(label, clientPort, client, timeout, loop, s -> {
                c.clientSide = s;
                c.joinIfBoth();
            }, () -> c.fail(null));
        } catch (IOException e) {
            c.stop();
            throw e;
        }
        return c;
    }

    /** A non-blocking socket, bound to {@code from} if named. */
    private static SocketChannel open(Optional<IpAddress> from) throws IOException {
        SocketChannel s = SocketChannel.open();
        try {
            s.configureBlocking(false);
            if (from.isPresent()) {
                s.bind(Addresses.socket(from.get(), 0)); // socket edge
            }
            return s;
        } catch (IOException e) {
            UserspaceRelay.quietly(s);
            throw e;
        }
    }

    /** Connects {@code s} without blocking the loop; {@code then} runs once connected (at once when the kernel connected it already). */
    private void connect(SocketChannel s, InetSocketAddress to, Runnable then) throws IOException {
        if (s.connect(to)) {
            then.run();
            return;
        }
        new PendingConnect(loop, s, ProxyServer.CONNECT_TIMEOUT_MS, new PendingConnect.Outcome() {
            @Override
            public void connected(SelectionKey key) {
                if (!closed) {
                    then.run();
                }
            }

            @Override
            public void failed(String reason) {
                fail("connect to " + Addresses.endpoint(to) + ": " + reason);
            }
        }).register();
    }

    private void joinIfBoth() {
        if (closed || clientSide == null || serverSide == null || !clientSide.isConnected() || !serverSide.isConnected()) {
            return;
        }
        joined = true;
        log.debug("session {}: converted data channel joined ({})", sessionId, what);
        ByteBridge.join("session " + sessionId + ": converted data channel", clientSide, serverSide, loop);
    }

    /** The setup failed (null: the listener said why): what it holds is closed. */
    private void fail(String why) {
        if (why != null && !closed) {
            log.info("session {}: converted data channel ({}): {}", sessionId, what, why);
        }
        stop();
    }

    /**
     * Stops a setup not yet joined; a joined transfer runs to its end. From any thread. Connections
     * the kernel has already completed to the listeners are accepted first (and joined, when both
     * are there): the transfer's end can be read before the loop accepted them. And once the
     * server's side is here it carries the file, which the server may have sent in full (and said
     * 226) before the client's side arrived or was connected: that setup is left to finish, bounded
     * by its own deadline (the client's listener, or the connect's timeout).
     */
    void close() {
        loop.execute(() -> {
            if (forServer != null) {
                forServer.acceptPending();
            }
            if (forClient != null) {
                forClient.acceptPending();
            }
            if (serverSide != null && serverSide.isConnected() && !joined && !closed) {
                log.debug("session {}: converted data channel ({}): the server's side is here; waiting for the client's", sessionId, what);
                return;
            }
            stop();
        });
    }

    private void stop() {
        if (closed || joined) {
            return;
        }
        closed = true;
        if (forServer != null) {
            forServer.cancel();
        }
        if (forClient != null) {
            forClient.cancel();
        }
        UserspaceRelay.quietly(clientSide);
        UserspaceRelay.quietly(serverSide);
    }

    @Override
    public String toString() {
        return what;
    }
}
