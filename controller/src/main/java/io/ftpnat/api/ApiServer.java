package io.ftpnat.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's unix-domain socket: newline-delimited JSON requests and answers (docs/api.md).
 * Each client has its own thread, so a slow client delays only itself. Every client is bounded: a
 * watchdog disconnects one whose writes make no progress for {@link #WRITE_STALL_MILLIS}, one that
 * leaves a request line unfinished or sends nothing for too long; the number of clients is bounded
 * per user and in total, with slots reserved for root ({@link ClientBudget}); the query role's
 * request lines are shorter than an admin's.
 */
public final class ApiServer implements AutoCloseable {
    static final long WRITE_STALL_MILLIS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final SocketConfig config;
    private final Authorizer authorizer;
    private final Accounts accounts;
    private final Map<String, CommandHandler> commands;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ClientBudget budget;
    /** Refused peers are answered (and drained for a moment) on threads of their own, a few at once. */
    private final Semaphore refusals = new Semaphore(8);
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();
    private final ExecutorService clients;
    private final ScheduledExecutorService watchdog;
    private ServerSocketChannel server;
    private Thread acceptor;

    public ApiServer(SocketConfig config, Authorizer authorizer, Map<String, CommandHandler> commands) {
        this(config, authorizer, Accounts.system(), commands);
    }

    public ApiServer(SocketConfig config, Authorizer authorizer, Accounts accounts, Map<String, CommandHandler> commands) {
        this.config = config;
        this.authorizer = authorizer;
        this.accounts = accounts;
        this.commands = Map.copyOf(commands);
        int reserve = Math.min(SocketConfig.ROOT_RESERVED_CLIENTS, Math.max(1, config.maxClients() / 4));
        this.budget = new ClientBudget(config.maxClients(), reserve, SocketConfig.MAX_CLIENTS_PER_USER);
        this.clients = Executors.newCachedThreadPool(daemonThreads("ftpnat-api-client"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemonThreads("ftpnat-api-watchdog"));
    }

    /** Binds the socket (replacing a stale one, refusing a live one) and starts accepting. */
    public void start() throws IOException {
        Path path = config.path();
        Files.createDirectories(path.toAbsolutePath().getParent());
        replaceStaleSocket(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // Bound, given its mode and group inside a fresh directory only this process can write
        // (0700), then renamed into place: a chmod/chgrp at a path others can write to could be
        // made to follow a planted link (Linux has no lchmod for sockets); rename never follows one.
        Path staging = Files.createTempDirectory(path.toAbsolutePath().getParent(), ".ftpnat-sock-");
        try {
            Path bound = staging.resolve("sock");
            server.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-rw----"));
            if (config.group() != null) {
                GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(config.group());
                Files.setAttribute(bound, "posix:group", group);
            }
            Files.move(bound, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staging.resolve("sock"));
            Files.deleteIfExists(staging);
        }
        acceptor = new Thread(this::acceptLoop, "ftpnat-api-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        watchdog.scheduleWithFixedDelay(this::disconnectStalled, 1, 1, TimeUnit.SECONDS);
        log.info("API listening on {} (mode 0660, group {})", path, config.group() == null ? "root" : config.group());
    }

    public int clientCount() {
        return sessions.size();
    }

    public int servedCount() {
        return served.get();
    }

    private static void replaceStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException(path + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("another ftpnatd answers on " + path + "; stop it or choose another --socket");
        } catch (java.net.SocketException stale) {
            log.info("removing stale socket {} (nobody answers on it)", path);
            Files.delete(path);
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("API accept failed: {}", e.getMessage());
                }
                continue;
            }
            try {
                admit(channel);
            } catch (RuntimeException e) {
                log.error("API: could not take a client", e);
                closeQuietly(channel);
            }
        }
    }

    /** Who it is, whether there is room for them, then a thread: in that order. */
    private void admit(SocketChannel channel) {
        Peer peer;
        try {
            peer = ClientSession.peerOf(channel, accounts);
        } catch (IOException | UnsupportedOperationException e) {
            refuse(channel, new ApiError(ApiError.FORBIDDEN, "cannot read the peer's credentials"));
            return;
        }
        Role role = authorizer.roleOf(peer);
        int maxLine = role == Role.ADMIN ? config.maxLineBytes() : Math.min(config.maxLineBytes(), SocketConfig.QUERY_MAX_LINE_BYTES);
        ClientSession session = new ClientSession(channel, peer, role, commands, mapper, maxLine);
        Runnable release;
        if (role == Role.NONE) {
            if (!refusals.tryAcquire()) {
                closeQuietly(channel); // already answering several strangers: no more threads for them
                return;
            }
            release = refusals::release;
        } else {
            java.util.Optional<Runnable> slot = budget.admit(peer);
            if (slot.isEmpty()) {
                String why = budget.refusal(peer);
                log.warn("API: refused a connection from {} (uid {}): {}", peer.user(), peer.uid(), why);
                refuse(channel, new ApiError(ApiError.TOO_MANY_CLIENTS, why));
                return;
            }
            release = slot.get();
        }
        sessions.add(session);
        served.incrementAndGet();
        try {
            clients.execute(() -> {
                try {
                    session.run();
                } finally {
                    sessions.remove(session);
                    release.run();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sessions.remove(session);
            release.run();
            closeQuietly(channel);
        }
    }

    private void refuse(SocketChannel channel, ApiError error) {
        try (channel) {
            // Answered and closed at once: this runs on the accept thread, which must not wait.
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream(256);
            new ResponseWriter(mapper, answer).error(null, error);
            channel.configureBlocking(false);
            channel.write(java.nio.ByteBuffer.wrap(answer.toByteArray())); // one try: fits any socket buffer
        } catch (IOException ignored) {
            // the client is gone, or not reading: nothing more to tell it
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void disconnectStalled() {
        long now = System.nanoTime();
        for (ClientSession s : sessions) {
            if (s.writeStalledSince(now) > TimeUnit.MILLISECONDS.toNanos(WRITE_STALL_MILLIS)) {
                log.warn("API client {} has not read its answer for {} s; disconnecting it", s.peerName(), WRITE_STALL_MILLIS / 1000);
                s.close();
                continue;
            }
            String overdue = s.readOverdue(now, TimeUnit.MILLISECONDS.toNanos(SocketConfig.PARTIAL_LINE_MILLIS),
                    TimeUnit.MILLISECONDS.toNanos(SocketConfig.IDLE_MILLIS));
            if (overdue != null) {
                log.info("API client {} {}; disconnecting it", s.peerName(), overdue);
                s.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        sessions.forEach(ClientSession::close);
        clients.shutdownNow();
        watchdog.shutdownNow();
        try {
            Files.deleteIfExists(config.path());
        } catch (IOException e) {
            log.warn("could not remove {}: {}", config.path(), e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
