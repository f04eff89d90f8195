package io.ftpnat.alg;

import io.ftpnat.policy.Policy;
import io.ftpnat.policy.ProxySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ftpnatd's userspace ALG: accepts the control connections the ruleset diverts, finds the rule
 * and the server, and runs a {@link ProxySession} for each. Threads: one accepting, one reaper
 * for timeouts, and two blocking readers per session (docs/design/alg.md says why not a selector).
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    static final int CONNECT_TIMEOUT_MS = 10_000;

    private final OriginalDestination originals;
    private final java.util.function.Function<ProxySettings, DataChannelTable> tables;
    private final Clock clock;
    private final Map<Long, ProxySession> sessions = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong channelIds = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile ProxyRoutes routes;
    private volatile ProxySettings settings;
    private volatile DataChannelTable table;
    private volatile PortAllocator ports;
    private ServerSocket listener;
    private ScheduledExecutorService reaper;

    public ProxyServer(OriginalDestination originals, java.util.function.Function<ProxySettings, DataChannelTable> tables, Clock clock) {
        this.originals = originals;
        this.tables = tables;
        this.clock = clock;
    }

    /**
     * Follows a newly applied policy: starts listening when it first has proxy rules, takes the
     * new rules for new sessions, and re-adds the live sessions' data channels (the apply replaced
     * the table, and its maps with it). A changed listen_port needs a restart.
     */
    public synchronized void policyApplied(Policy policy) {
        routes = new ProxyRoutes(policy);
        if (!policy.hasProxyRules()) {
            return;
        }
        if (listener == null) {
            try {
                start(policy.proxy());
            } catch (IOException e) {
                log.error("proxy: cannot listen on port {}: {}; mode: proxy rules will not be served", policy.proxy().listenPort(),
                        e.getMessage());
            }
        } else if (policy.proxy().listenPort() != settings.listenPort()) {
            log.warn("proxy: listen_port changed to {}; still listening on {} until ftpnatd restarts", policy.proxy().listenPort(),
                    settings.listenPort());
        }
        sessions.values().forEach(ProxySession::reinstallChannel);
    }

    private void start(ProxySettings s) throws IOException {
        settings = s;
        table = tables.apply(s);
        ports = new PortAllocator(s.dataPorts(), new SecureRandom());
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        // "::" takes IPv4 too (as mapped addresses) unless the host forbids it (bindv6only)
        ss.bind(new InetSocketAddress(InetAddress.getByName("::"), s.listenPort()), 512);
        listener = ss;
        Thread t = new Thread(this::acceptLoop, "alg-accept");
        t.setDaemon(true);
        t.start();
        reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "alg-timeouts");
            th.setDaemon(true);
            return th;
        });
        reaper.scheduleWithFixedDelay(() -> sessions.values().forEach(x -> {
            try {
                x.checkTimeouts(clock.instant());
            } catch (RuntimeException e) {
                log.warn("proxy: timeout check of session {}: {}", x.id(), e.toString());
            }
        }), 1, 1, TimeUnit.SECONDS);
        log.info("proxy: listening on port {} for mode: proxy rules (max {} sessions, {} per client)", s.listenPort(),
                s.maxSessions(), s.maxSessionsPerClient());
    }

    private void acceptLoop() {
        ServerSocket ss = listener;
        while (!ss.isClosed()) {
            Socket c;
            try {
                c = ss.accept();
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    log.warn("proxy: accept: {}", e.getMessage());
                }
                continue;
            }
            accepted.incrementAndGet();
            // Set up off the accept thread: the connect to the server may take seconds.
            Thread t = new Thread(null, () -> setUp(c), "alg-setup", ProxySession.THREAD_STACK);
            t.setDaemon(true);
            t.start();
        }
    }

    private void setUp(Socket c) {
        InetSocketAddress remote = Addresses.unmapped((InetSocketAddress) c.getRemoteSocketAddress());
        InetSocketAddress local = Addresses.unmapped((InetSocketAddress) c.getLocalSocketAddress());
        InetAddress client = remote.getAddress();
        ProxySettings s = settings;
        AtomicInteger mine = null;
        boolean counted = false;
        try {
            Optional<InetSocketAddress> original = originals.lookup(local, remote);
            Optional<ProxyRoute> route = original.flatMap(o -> routes.route(client, o));
            if (route.isEmpty()) {
                // Not diverted by a proxy rule (someone connected to the port itself): nothing to say.
                log.info("proxy: connection from {} to {} matches no proxy rule; closed", Addresses.endpoint(remote),
                        original.map(Addresses::endpoint).orElse("(no conntrack entry)"));
                refused.incrementAndGet();
                c.close();
                return;
            }
            mine = perClient.computeIfAbsent(client, k -> new AtomicInteger());
            counted = true;
            if (mine.incrementAndGet() > s.maxSessionsPerClient() || sessions.size() >= s.maxSessions()) {
                log.warn("proxy: session limit reached ({} from {}, {} in total); refusing", mine.get() - 1, client, sessions.size());
                refused.incrementAndGet();
                reply(c, "421 Too many connections.");
                return;
            }
            c.setTcpNoDelay(true);
            c.setOOBInline(true); // the Telnet Synch before ABOR arrives as urgent data: keep it in the stream
            Socket up = new Socket();
            up.setTcpNoDelay(true);
            ProxyRoute r = route.get();
            try {
                if (r.bind().isPresent()) {
                    up.bind(new InetSocketAddress(r.bind().get(), 0));
                }
                up.connect(r.server(), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                log.warn("proxy: rule {}: cannot reach {} for {}: {}", r.rule(), Addresses.endpoint(r.server()), Addresses.endpoint(remote),
                        e.getMessage());
                up.close();
                reply(c, "421 Service not available, closing control connection.");
                return;
            }
            SessionAddresses at = new SessionAddresses(remote, original.get().getAddress(), r.server(),
                    Addresses.unmapped((InetSocketAddress) up.getLocalSocketAddress()));
            long id = sessionIds.incrementAndGet();
            ProxySession session = new ProxySession(id, r.rule(), c, up, at, s, table, ports, channelIds, clock, this::ended);
            sessions.put(id, session);
            counted = false; // from here the session's end releases the count
            log.info("session {} ({}): {} -> {} via {}", id, r.rule(), Addresses.endpoint(remote), Addresses.endpoint(r.server()),
                    Addresses.endpoint(at.upstreamLocal()));
            session.start();
        } catch (IOException | RuntimeException e) {
            log.warn("proxy: setting up a session for {}: {}", Addresses.endpoint(remote), e.toString());
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        } finally {
            if (counted && mine.decrementAndGet() <= 0) {
                perClient.remove(client, mine);
            }
        }
    }

    private static void reply(Socket c, String text) {
        try (c) {
            c.getOutputStream().write((text + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // the client left already
        }
    }

    private void ended(ProxySession s) {
        sessions.remove(s.id());
        AtomicInteger n = perClient.get(s.addresses().clientAddress());
        if (n != null && n.decrementAndGet() <= 0) {
            perClient.remove(s.addresses().clientAddress(), n);
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
        return listener != null && !listener.isClosed();
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
    }
}
