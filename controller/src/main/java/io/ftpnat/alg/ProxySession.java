package io.ftpnat.alg;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.ProxySettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied control connection: the client's socket, the proxy's socket to the server, a
 * reader thread for each direction feeding the {@link ControlDialogue}. Ends when either side
 * closes, on a protocol bound (line length, queue), or on a timeout; either way both sockets
 * close and the data channel is withdrawn.
 */
final class ProxySession {
    private static final Logger log = LoggerFactory.getLogger(ProxySession.class);
    /** Control threads need little stack: a line buffer and the dialogue; 2 per session. */
    static final long THREAD_STACK = 256 * 1024;

    private final long id;
    private final String rule;
    private final Socket client;
    private final Socket server;
    private final SessionAddresses at;
    private final java.util.function.Supplier<ProxySettings> settings;
    private final int maxLine;
    private final ControlDialogue dialogue;
    private final Outbox toClient;
    private final Outbox toServer;
    private final Instant started;
    private final Clock clock;
    private final Consumer<ProxySession> onClose;
    private final AlgObserver observer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String closeReason = "";
    private volatile boolean backPressureLogged;

    ProxySession(long id, String rule, Socket client, Socket server, SessionAddresses at, java.util.function.Supplier<ProxySettings> settings,
            DataChannelTable table, PortAllocator ports, java.util.concurrent.atomic.AtomicLong channelIds, Clock clock,
            Consumer<ProxySession> onClose, AlgObserver observer, io.ftpnat.policy.AlgControls controls) throws IOException {
        this.observer = observer;
        this.id = id;
        this.rule = rule;
        this.client = client;
        this.server = server;
        this.at = at;
        this.settings = settings;
        this.clock = clock;
        this.onClose = onClose;
        this.started = clock.instant();
        this.maxLine = settings.get().maxLineBytes();
        int maxQueued = 16 * maxLine + 4096;
        this.toClient = new Outbox(client.getOutputStream(), maxQueued);
        this.toServer = new Outbox(server.getOutputStream(), maxQueued);
        this.dialogue = new ControlDialogue(id, at, table, ports, channelIds, toClient::offer, toServer::offer, clock, controls,
                () -> settings.get().dataTimeout());
    }

    void start() {
        thread("c2s", client, true).start();
        thread("s2c", server, false).start();
    }

    private Thread thread(String direction, Socket from, boolean fromClient) {
        Thread t = new Thread(null, () -> pump(from, fromClient), "alg-" + id + "-" + direction, THREAD_STACK);
        t.setDaemon(true);
        return t;
    }

    private void pump(Socket from, boolean fromClient) {
        // Every line this thread logs is about this session: searchable by session id and rule
        // (the log pattern and the JSON format carry them). The thread is the session's own.
        org.slf4j.MDC.put("session", "proxy-" + id);
        org.slf4j.MDC.put("rule", rule);
        TelnetLineReader reader = new TelnetLineReader(maxLine);
        byte[] buf = new byte[4096];
        try (InputStream in = from.getInputStream()) {
            while (!closed.get()) {
                int n = in.read(buf);
                if (n < 0) {
                    close(fromClient ? "client closed" : "server closed");
                    return;
                }
                for (TelnetLineReader.Line line : reader.feed(buf, 0, n)) {
                    if (fromClient) {
                        if (!awaitRoom()) {
                            return;
                        }
                        long t0 = System.nanoTime();
                        boolean kept = dialogue.fromClient(line);
                        observer.commandHandled(System.nanoTime() - t0);
                        if (!kept) {
                            close("too many commands awaiting replies");
                            return;
                        }
                    } else if (!dialogue.fromServer(line)) {
                        toClient.flush(); // the client is told why (strict's 421) before the close
                        close(dialogue.endReason());
                        return;
                    }
                }
                if (toClient.overflowed() || toServer.overflowed()) {
                    close((toClient.overflowed() ? "client" : "server") + " does not read its replies");
                    return;
                }
                toServer.flush();
                toClient.flush();
            }
        } catch (SocketException e) {
            close(closed.get() ? closeReason : (fromClient ? "client: " : "server: ") + e.getMessage());
        } catch (VirtualMachineError e) {
            Fatal.halt("session " + id, e);
        } catch (InterruptedException e) {
            close("interrupted");
        } catch (IOException | RuntimeException | Error e) {
            // The daemon never dies of a session: whatever went wrong ends this one only.
            log.warn("session {}: {}", id, e.toString());
            close("error: " + e.getMessage());
        }
    }

    /**
     * Back-pressure: while {@link ControlDialogue#MAX_PENDING} commands await the server's replies,
     * the client is not read (what was decided is flushed first, or the server would never see the
     * commands it is to answer). False when the session closed meanwhile.
     */
    private boolean awaitRoom() throws IOException, InterruptedException {
        if (dialogue.hasRoom()) {
            return true;
        }
        toServer.flush();
        toClient.flush();
        if (!backPressureLogged) {
            backPressureLogged = true;
            log.info("session {}: {} commands await the server's replies; not reading client {} until it answers", id,
                    ControlDialogue.MAX_PENDING, Addresses.endpoint(at.client()));
        }
        while (!dialogue.awaitRoom(1000)) {
            if (closed.get()) {
                return false;
            }
        }
        return !closed.get();
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

    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        dialogue.close();
        quietly(client);
        quietly(server);
        log.info("session {} ({} {} -> {}) ended: {}", id, rule, Addresses.endpoint(at.client()), Addresses.endpoint(at.server()),
                reason);
        onClose.accept(this);
    }

    void reinstallChannel() {
        dialogue.reinstall();
    }

    private static void quietly(Socket s) {
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
