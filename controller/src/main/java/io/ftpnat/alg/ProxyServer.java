package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.kernel.OriginalDestination;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.ProxySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ftpnatd's userspace ALG: accepts the control connections the ruleset diverts, finds the rule
 * and the server, and runs a {@link ProxySession} for each. Threads, a fixed number whatever the
 * sessions: one accepting (which also looks up each admitted connection's original destination, one
 * netlink request), one reaper for timeouts, and {@link #LOOPS} selector loops that carry every
 * session's sockets, connects to servers included (docs/design/alg.md). Every
 * connection is counted against the policy's limits on the accept thread, before anything is
 * spent on it.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Selector loops: one per core, at most 4 (a control channel costs microseconds per command). */
    static final int LOOPS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private final OriginalDestination originals;
    private final java.util.function.Function<java.util.function.Supplier<ProxySettings>, DataChannelTable> tables;
    private final Clock clock;
    private final Map<Long, ProxySession> sessions = new ConcurrentHashMap<>();
    private final Admissions admissions = new Admissions();
    private final RateLimitedLog refusalLog;
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong channelIds = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile AlgObserver observer = AlgObserver.NONE;
    private volatile ProxyRoutes routes;
    private volatile ProxySettings settings;
    private volatile DataChannelTable table;
    private volatile PortAllocator ports;
    private volatile java.nio.channels.ServerSocketChannel listener;
    private ScheduledExecutorService reaper;
    private final List<SelectorLoop> loops = new java.util.ArrayList<>();
    private final AtomicLong nextLoop = new AtomicLong();

    public ProxyServer(OriginalDestination originals,
            java.util.function.Function<java.util.function.Supplier<ProxySettings>, DataChannelTable> tables, Clock clock) {
        this.originals = originals;
        this.tables = tables;
        this.clock = clock;
        this.refusalLog = new RateLimitedLog(clock, Duration.ofSeconds(10));
    }

    /** Who counts sessions, refusals and command latencies (the daemon's metrics); set before the first policy. */
    public void observe(AlgObserver observer) {
        this.observer = observer;
    }

    /**
     * Follows a newly applied policy: starts listening when it first has proxy rules, takes the
     * new rules and limits (sessions, per client, timeouts, max_line for new sessions, data_ports,
     * data_timeout) at once, and re-adds the live sessions' data channels (the apply replaced the
     * table, and its maps with it). A changed listen_port needs a restart (logged).
     */
    public synchronized void policyApplied(Policy policy) {
        routes = new ProxyRoutes(policy);
        if (!policy.hasProxyRules()) {
            return;
        }
        ProxySettings next = policy.proxy();
        ProxySettings previous = settings;
        if (listener == null) {
            try {
                start(next);
            } catch (IOException e) {
                log.error("proxy: cannot listen on port {}: {}; mode: proxy rules will not be served", next.listenPort(),
                        e.getMessage());
            }
        } else {
            if (next.listenPort() != previous.listenPort()) {
                // the new ruleset redirects to the new port: listen there now; sessions already
                // running keep their sockets (they are not the listener's)
                try {
                    java.nio.channels.ServerSocketChannel old = listener;
                    listen(next.listenPort());
                    closeQuietly(old);
                    log.info("proxy: listen_port changed from {} to {}; now listening on {} (live sessions go on)",
                            previous.listenPort(), next.listenPort(), next.listenPort());
                } catch (IOException e) {
                    log.error("proxy: listen_port changed to {} but cannot listen there: {}; still listening on {} (the new ruleset"
                            + " redirects to {}: proxied rules are not served)", next.listenPort(), e.getMessage(), previous.listenPort(),
                            next.listenPort());
                }
            }
            if (!next.dataPorts().equals(previous.dataPorts())) {
                ports.retarget(next.dataPorts());
            }
            settings = next;
            if (!next.equals(previous)) {
                log.info("proxy: limits now max {} sessions, {} per client, login timeout {} s, idle timeout {} s, max line {} (new"
                        + " sessions), data ports {}, data timeout {} s", next.maxSessions(), next.maxSessionsPerClient(),
                        next.loginTimeout().toSeconds(), next.idleTimeout().toSeconds(), next.maxLineBytes(), next.dataPorts(),
                        next.dataTimeout().toSeconds());
            }
        }
        // The pending data channels' elements are in the new table already: the apply carried them
        // over in its own transaction (KernelRuleset.apply), so there is nothing to put back.
    }

    private void start(ProxySettings s) throws IOException {
        settings = s;
        table = tables.apply(() -> settings);
        ports = new PortAllocator(s.dataPorts(), new SecureRandom());
        listen(s.listenPort());
        for (int i = 0; i < LOOPS; i++) {
            loops.add(new SelectorLoop("alg-loop-" + i));
        }
        reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "alg-timeouts");
            th.setDaemon(true);
            return th;
        });
        reaper.scheduleWithFixedDelay(this::checkTimeouts, 1, 1, TimeUnit.SECONDS);
        log.info("proxy: listening on port {} for mode: proxy rules (max {} sessions, {} per client)", s.listenPort(),
                s.maxSessions(), s.maxSessionsPerClient());
    }

    /** Listens on {@code port} with an accept thread of its own (ends when that listener closes). */
    private void listen(int port) throws IOException {
        java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open();
        try {
            ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            // "::" takes IPv4 too (as mapped addresses) unless the host forbids it (bindv6only). Every
            // interface: the ruleset's redirect goes to the incoming interface's address, so binding
            // loopback cannot work; the ruleset's proxy_input chain drops whatever was not redirected.
            ss.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 512); // socket edge
        } catch (IOException e) {
            ss.close();
            throw e;
        }
        listener = ss;
        Thread t = new Thread(() -> acceptLoop(ss), "alg-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** The reaper's round. Nothing may escape: a scheduled task that throws is never run again. */
    private void checkTimeouts() {
        try {
            sessions.values().forEach(x -> {
                try {
                    x.checkTimeouts(clock.instant());
                } catch (RuntimeException e) {
                    log.warn("proxy: timeout check of session {}: {}", x.id(), e.toString());
                }
            });
        } catch (VirtualMachineError e) {
            Fatal.halt("proxy timeout reaper", e);
        } catch (Throwable e) {
            log.error("proxy: timeout reaper: {}", e.toString(), e);
        }
    }

    private void acceptLoop(java.nio.channels.ServerSocketChannel ss) {
        while (ss.isOpen()) {
            try {
                SocketChannel c;
                try {
                    c = ss.accept();
                } catch (IOException e) {
                    if (ss.isOpen()) {
                        log.warn("proxy: accept: {}", e.getMessage());
                    }
                    continue;
                }
                accepted.incrementAndGet();
                admit(c);
            } catch (VirtualMachineError e) {
                Fatal.halt("proxy accept loop", e);
            } catch (Throwable e) {
                // the loop goes on: one bad connection must not end the service for everyone
                log.error("proxy: accept loop: {}", e.toString(), e);
            }
        }
    }

    /**
     * On the accept thread, before any thread exists for the connection: the limits. Over a limit
     * the connection gets one line and is closed at once (a refusal costs no thread and no lookup).
     */
    private void admit(SocketChannel c) throws IOException {
        InetSocketAddress remote = Addresses.unmapped((InetSocketAddress) c.getRemoteAddress());
        ProxySettings s = settings;
        Admissions.Refusal refusal = admissions.admit(Addresses.of(remote), s.maxSessions(), s.maxSessionsPerClient());
        if (refusal != Admissions.Refusal.NONE) {
            refused.incrementAndGet();
            observer.refused(AlgObserver.LIMIT);
            long unlogged = refusalLog.next();
            if (unlogged >= 0) {
                log.warn("proxy: refused a connection from {}: {} ({} in total, {} from its {}){}", Addresses.endpoint(remote),
                        refusal == Admissions.Refusal.TOTAL ? "max_sessions " + s.maxSessions() + " reached"
                                : "max_sessions_per_client " + s.maxSessionsPerClient() + " reached",
                        admissions.total(), admissions.of(Addresses.of(remote)),
                        !Addresses.of(remote).v6() ? "address" : "/64",
                        unlogged > 0 ? "; " + unlogged + " more refused since the last such line" : "");
            }
            reply(c, "421 Too many connections.");
            return;
        }
        try {
            // On the accept thread: the lookup is one netlink request to the local kernel (no network
            // wait), the connect is non-blocking and completes on a loop. A hand-over to another
            // thread here cost a scheduler wake-up per session (measured: session rate 0.81x).
            setUp(c, remote);
        } catch (Throwable e) {
            admissions.release(Addresses.of(remote));
            closeQuietly(c);
            throw e;
        }
    }

    private void setUp(SocketChannel c, InetSocketAddress remote) {
        IpAddress client = Addresses.of(remote);
        boolean handedOver = false;
        try {
            InetSocketAddress local = Addresses.unmapped((InetSocketAddress) c.getLocalAddress());
            Optional<InetSocketAddress> original = originals.lookup(local, remote)
                    // the router's own listen socket is no original destination: not diverted
                    .filter(o -> !o.equals(local));
            Optional<ProxyRoute> route = original.flatMap(o -> routes.route(client, o));
            if (route.isEmpty()) {
                // Not diverted by a proxy rule (someone connected to the port itself): nothing to say.
                if (refusalLog.next() >= 0) {
                    log.info("proxy: connection from {} to {} matches no proxy rule; closed", Addresses.endpoint(remote),
                            original.map(Addresses::endpoint).orElse("the listen port itself (not diverted)"));
                }
                refused.incrementAndGet();
                observer.refused(AlgObserver.NO_RULE);
                c.close();
                return;
            }
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            c.socket().setOOBInline(true); // the Telnet Synch before ABOR arrives as urgent data: keep it in the stream
            ProxyRoute r = route.get();
            SocketChannel up = SocketChannel.open();
            try {
                up.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                up.configureBlocking(false);
                if (r.bind().isPresent()) {
                    up.bind(Addresses.socket(r.bind().get(), 0)); // socket edge
                }
                up.connect(r.server()); // completes on the loop (PendingConnect), which may take seconds
            } catch (IOException e) {
                up.close();
                unreachable(c, r, remote, e.getMessage());
                return;
            }
            SelectorLoop loop = loops.get((int) (nextLoop.getAndIncrement() % loops.size()));
            InetSocketAddress original0 = original.get();
            PendingConnect pending = new PendingConnect(loop, up, CONNECT_TIMEOUT_MS, new PendingConnect.Outcome() {
                @Override
                public void connected(java.nio.channels.SelectionKey key) {
                    try {
                        startSession(c, up, key, r, remote, original0, loop);
                    } catch (IOException | RuntimeException e) {
                        // before the session existed: nothing else holds the sockets or the place
                        log.warn("proxy: starting a session for {}: {}", Addresses.endpoint(remote), e.toString());
                        closeQuietly(up);
                        closeQuietly(c);
                        admissions.release(client);
                    }
                }

                @Override
                public void failed(String reason) {
                    closeQuietly(up);
                    unreachable(c, r, remote, reason);
                    admissions.release(client);
                }
            });
            handedOver = true; // from here the connect's outcome gives the place back
            loop.execute(() -> {
                try {
                    pending.register();
                } catch (IOException | RuntimeException e) {
                    pending.failed(e);
                }
            });
        } catch (VirtualMachineError e) {
            Fatal.halt("proxy session setup", e);
        } catch (Throwable e) {
            log.warn("proxy: setting up a session for {}: {}", Addresses.endpoint(remote), e.toString());
            closeQuietly(c);
        } finally {
            if (!handedOver) {
                admissions.release(client);
            }
        }
    }

    private void unreachable(SocketChannel c, ProxyRoute r, InetSocketAddress remote, String why) {
        log.warn("proxy: rule {}: cannot reach {} for {}: {}", r.rule(), Addresses.endpoint(r.server()), Addresses.endpoint(remote), why);
        observer.refused(AlgObserver.SERVER_UNREACHABLE);
        reply(c, "421 Service not available, closing control connection.");
    }

    /** On the loop, the server connected: the session starts (it now holds the admission's place). */
    private void startSession(SocketChannel c, SocketChannel up, java.nio.channels.SelectionKey upKey, ProxyRoute r,
            InetSocketAddress remote, InetSocketAddress original, SelectorLoop loop) throws IOException {
        SessionAddresses at = new SessionAddresses(remote, Addresses.of(original), r.server(),
                Addresses.unmapped((InetSocketAddress) up.getLocalAddress()));
        long id = sessionIds.incrementAndGet();
        ProxySession session = new ProxySession(id, r.rule(), c, up, at, () -> settings, table, ports, channelIds, clock, this::ended,
                observer, r.controls(), loop);
        sessions.put(id, session);
        // DEBUG: the session's INFO line is its end (with the same endpoints): one line per session, not two.
        // Guarded: the three endpoints would otherwise be formatted for every session and thrown away.
        if (log.isDebugEnabled()) {
            log.debug("session {} ({}): {} -> {} via {}", id, r.rule(), Addresses.endpoint(remote), Addresses.endpoint(r.server()),
                    Addresses.endpoint(at.upstreamLocal()));
        }
        observer.sessionStarted(r.rule());
        try {
            session.start(upKey);
        } catch (IOException | RuntimeException e) {
            session.close("cannot start: " + e.getMessage());
        }
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void reply(SocketChannel c, String text) {
        // one short line on a fresh socket: the kernel's buffer takes it whatever the mode
        try (c) {
            c.write(java.nio.ByteBuffer.wrap((text + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (IOException ignored) {
            // the client left already
        }
    }

    private void ended(ProxySession s) {
        if (sessions.remove(s.id()) != null) {
            admissions.release(s.addresses().clientAddress());
        }
    }

    /** The live sessions, oldest first, as the API shows them. */
    public List<SessionView> sessions() {
        return sessions.values().stream().sorted(Comparator.comparingLong(ProxySession::id))
                .map(s -> new SessionView(s.id(), s.rule(), s.addresses(), s.started(), s.snapshot())).toList();
    }

    public record SessionView(long id, String rule, SessionAddresses addresses, java.time.Instant started,
            ControlDialogue.Snapshot state) {
    }

    public boolean listening() {
        return listener != null && listener.isOpen();
    }

    public long acceptedCount() {
        return accepted.get();
    }

    public long refusedCount() {
        return refused.get();
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            reaper.shutdownNow();
        }
        // Sessions end with the daemon; their data channels go with them (an element left behind
        // would still expire on its own timeout).
        List.copyOf(sessions.values()).forEach(s -> s.close("daemon stopping"));
        loops.forEach(SelectorLoop::close);
    }
}
