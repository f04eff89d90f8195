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
 * Each client has its own thread, so a slow client delays only itself; a client whose writes make
 * no progress for {@link #WRITE_STALL_MILLIS} is disconnected by a watchdog; the number of clients
 * is bounded.
 */
public final class ApiServer implements AutoCloseable {
    static final long WRITE_STALL_MILLIS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final SocketConfig config;
    private final Authorizer authorizer;
    private final Map<String, CommandHandler> commands;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Semaphore slots;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();
    private final ExecutorService clients;
    private final ScheduledExecutorService watchdog;
    private ServerSocketChannel server;
    private Thread acceptor;

    public ApiServer(SocketConfig config, Authorizer authorizer, Map<String, CommandHandler> commands) {
        this.config = config;
        this.authorizer = authorizer;
        this.commands = Map.copyOf(commands);
        this.slots = new Semaphore(config.maxClients());
        this.clients = Executors.newCachedThreadPool(daemonThreads("ftpnat-api-client"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemonThreads("ftpnat-api-watchdog"));
    }

    /** Binds the socket (replacing a stale one, refusing a live one) and starts accepting. */
    public void start() throws IOException {
        Path path = config.path();
        Files.createDirectories(path.toAbsolutePath().getParent());
        replaceStaleSocket(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        if (config.group() != null) {
            GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(config.group());
            Files.setAttribute(path, "posix:group", group);
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
            ClientSession session = new ClientSession(channel, authorizer, commands, mapper, config.maxLineBytes());
            if (!slots.tryAcquire()) {
                session.refuse(new ApiError(ApiError.TOO_MANY_CLIENTS, "the daemon serves at most " + config.maxClients()
                        + " clients at once; try again"));
                continue;
            }
            sessions.add(session);
            served.incrementAndGet();
            clients.execute(() -> {
                try {
                    session.run();
                } finally {
                    sessions.remove(session);
                    slots.release();
                }
            });
        }
    }

    private void disconnectStalled() {
        long now = System.nanoTime();
        for (ClientSession s : sessions) {
            if (s.writeStalledSince(now) > TimeUnit.MILLISECONDS.toNanos(WRITE_STALL_MILLIS)) {
                log.warn("API client {} has not read its answer for {} s; disconnecting it", s.peerName(), WRITE_STALL_MILLIS / 1000);
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
