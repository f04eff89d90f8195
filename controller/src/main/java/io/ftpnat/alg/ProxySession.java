package io.ftpnat.alg;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.AlgControls;
import io.ftpnat.policy.ProxySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied control connection: the client's socket and the proxy's socket to the server, both
 * non-blocking on one {@link SelectorLoop}, feeding the {@link ControlDialogue}. Ends when either
 * side closes, on a protocol bound (line length, queue), or on a timeout; either way both sockets
 * close and the data channel is withdrawn.
 *
 * <p>Back-pressure per direction, by interest in reading: the client is not read while
 * {@link ControlDialogue#MAX_PENDING} commands await replies or while the server's box is past
 * half its bound; the server is not read while the client's box is. Unread bytes stay in the kernel's socket buffers and TCP tells the sender
 * to wait; the other direction goes on.
 */
final class ProxySession {
    private static final Logger log = LoggerFactory.getLogger(ProxySession.class);

    private final long id;
    private final String rule;
    private final SocketChannel client;
    private final SocketChannel server;
    private final SessionAddresses at;
    private final Supplier<ProxySettings> settings;
    private final ControlDialogue dialogue;
    private final Outbox toClient;
    private final Outbox toServer;
    private final TelnetLineReader clientLines;
    private final TelnetLineReader serverLines;
    /** Client lines read but not yet taken by the dialogue (its queue was full): at most one read's worth. */
    private final ArrayDeque<TelnetLineReader.Line> held = new ArrayDeque<>();
    private final Instant started;
    private final Consumer<ProxySession> onClose;
    private final AlgObserver observer;
    private final SelectorLoop loop;
    private final AtomicBoolean closed = new AtomicBoolean();
    private SelectionKey clientKey;
    private SelectionKey serverKey;
    private boolean backPressureLogged;

    ProxySession(long id, String rule, SocketChannel client, SocketChannel server, SessionAddresses at, Supplier<ProxySettings> settings,
            DataChannelTable table, PortAllocator ports, AtomicLong channelIds, Clock clock, Consumer<ProxySession> onClose,
            AlgObserver observer, AlgControls controls, SelectorLoop loop) {
        this.observer = observer;
        this.id = id;
        this.rule = rule;
        this.client = client;
        this.server = server;
        this.at = at;
        this.settings = settings;
        this.onClose = onClose;
        this.loop = loop;
        this.started = clock.instant();
        int maxLine = settings.get().maxLineBytes();
        int maxQueued = 16 * maxLine + 4096;
        this.clientLines = new TelnetLineReader(maxLine);
        this.serverLines = new TelnetLineReader(maxLine);
        this.toClient = new Outbox(maxQueued);
        this.toServer = new Outbox(maxQueued);
        this.dialogue = new ControlDialogue(id, at, table, ports, channelIds, toClient::offer, toServer::offer, clock, controls,
                () -> settings.get().dataTimeout());
    }

    /** Registers both sockets with the loop; on the loop's thread. {@code serverKey}: the upstream's key from its connect, if any. */
    void start(SelectionKey upstreamKey) throws IOException {
        client.configureBlocking(false);
        clientKey = client.register(loop.selector(), SelectionKey.OP_READ, new Side(true));
        if (upstreamKey != null && upstreamKey.isValid()) {
            serverKey = upstreamKey;
            serverKey.attach(new Side(false));
            serverKey.interestOps(SelectionKey.OP_READ);
        } else {
            server.configureBlocking(false);
            serverKey = server.register(loop.selector(), SelectionKey.OP_READ, new Side(false));
        }
    }

    /** One socket of the session, as the loop sees it. */
    private final class Side implements SelectorLoop.Handler {
        private final boolean isClient;

        Side(boolean isClient) {
            this.isClient = isClient;
        }

        @Override
        public void ready(SelectionKey key) throws IOException {
            if (closed.get()) {
                return;
            }
            if (key.isWritable()) {
                (isClient ? toClient : toServer).flush(isClient ? client : server);
            }
            if (key.isValid() && key.isReadable()) {
                read(isClient);
            }
            if (!closed.get()) {
                afterIo();
            }
        }

        @Override
        public void failed(Throwable e) {
            if (e instanceof IOException) {
                close((isClient ? "client: " : "server: ") + e.getMessage());
            } else {
                // the daemon never dies of a session: whatever went wrong ends this one only
                log.warn("session {}: {}", id, e.toString());
                close("error: " + e.getMessage());
            }
        }
    }

    private void read(boolean fromClient) throws IOException {
        org.slf4j.MDC.put("session", "proxy-" + id); // log lines about this session carry its id and rule
        org.slf4j.MDC.put("rule", rule);
        try {
            byte[] buf = loop.readBuffer;
            int n = (fromClient ? client : server).read(ByteBuffer.wrap(buf));
            if (n < 0) {
                close(fromClient ? "client closed" : "server closed");
                return;
            }
            if (fromClient) {
                held.addAll(clientLines.feed(buf, 0, n));
                takeClientLines();
            } else {
                for (TelnetLineReader.Line line : serverLines.feed(buf, 0, n)) {
                    if (!dialogue.fromServer(line)) {
                        toClient.flush(client); // the client is told why (strict's 421) before the close
                        close(dialogue.endReason());
                        return;
                    }
                }
                takeClientLines(); // the replies may have made room for lines the client sent meanwhile
            }
        } finally {
            org.slf4j.MDC.remove("session");
            org.slf4j.MDC.remove("rule");
        }
    }

    /** Hands the held client lines to the dialogue while its queue has room. */
    private void takeClientLines() {
        while (!held.isEmpty() && !closed.get()) {
            if (!dialogue.hasRoom()) {
                if (!backPressureLogged) {
                    backPressureLogged = true;
                    log.info("session {}: {} commands await the server's replies; not reading client {} until it answers", id,
                            ControlDialogue.MAX_PENDING, Addresses.endpoint(at.client()));
                }
                return;
            }
            long t0 = System.nanoTime();
            boolean kept = dialogue.fromClient(held.poll());
            observer.commandHandled(System.nanoTime() - t0);
            if (!kept) {
                close("too many commands awaiting replies");
                return;
            }
        }
    }

    /** Writes what was decided and sets what to wait for next: each direction reads only while its sink has room. */
    private void afterIo() throws IOException {
        if (toClient.overflowed() || toServer.overflowed()) {
            close((toClient.overflowed() ? "client" : "server") + " does not read its replies");
            return;
        }
        boolean clientDone = toClient.flush(client);
        boolean serverDone = toServer.flush(server);
        // each direction stalls only for its own sink: a client that stops reading its replies
        // stalls the server's direction; its commands go on until the FIFO's 64 (or, refused by the
        // ALG itself and never read, until its box's bound ends the session, as before)
        boolean readClient = held.isEmpty() && dialogue.hasRoom() && !toServer.pauseAt();
        boolean readServer = !toClient.pauseAt();
        if (clientKey.isValid()) {
            clientKey.interestOps((readClient ? SelectionKey.OP_READ : 0) | (clientDone ? 0 : SelectionKey.OP_WRITE));
        }
        if (serverKey.isValid()) {
            serverKey.interestOps((readServer ? SelectionKey.OP_READ : 0) | (serverDone ? 0 : SelectionKey.OP_WRITE));
        }
    }

    /** Ends the session on a timeout; called by the server's reaper. */
    void checkTimeouts(Instant now) {
        ControlDialogue.Snapshot s = dialogue.snapshot();
        ProxySettings limits = settings.get(); // the policy in force: an apply may have changed them
        if (!s.loggedIn() && Duration.between(started, now).compareTo(limits.loginTimeout()) > 0) {
            close("login timeout");
        } else if (!s.transferring() && Duration.between(s.lastActivity(), now).compareTo(limits.idleTimeout()) > 0) {
            close("idle timeout");
        }
    }

    /** Ends the session, from any thread: the sockets close at once (their keys with them), the data channel is withdrawn. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dialogue.close();
        quietly(client);
        quietly(server);
        log.info("session {} ({} {} -> {} via {}) ended: {}", id, rule, Addresses.endpoint(at.client()), Addresses.endpoint(at.server()),
                Addresses.endpoint(at.upstreamLocal()), reason);
        onClose.accept(this);
    }

    void reinstallChannel() {
        dialogue.reinstall();
    }

    private static void quietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    long id() {
        return id;
    }

    String rule() {
        return rule;
    }

    SessionAddresses addresses() {
        return at;
    }

    Instant started() {
        return started;
    }

    ControlDialogue.Snapshot snapshot() {
        return dialogue.snapshot();
    }

    InetSocketAddress clientEndpoint() {
        return at.client();
    }
}
