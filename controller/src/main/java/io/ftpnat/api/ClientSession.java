package io.ftpnat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One client connection: read a line, authorise, dispatch, answer; until the client closes. */
final class ClientSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final SocketChannel channel;
    private final Peer peer;
    private final Role role;
    private final Map<String, CommandHandler> commands;
    private final ObjectMapper mapper;
    private final int maxLineBytes;
    private final StallClock clock = new StallClock();
    private final ReadClock reading = new ReadClock();

    /**
     * @param peer the kernel's word on who connected (read on the accept thread)
     * @param role what that peer may do; {@link Role#NONE} is answered with a refusal and closed
     */
    ClientSession(SocketChannel channel, Peer peer, Role role, Map<String, CommandHandler> commands, ObjectMapper mapper,
            int maxLineBytes) {
        this.channel = channel;
        this.peer = peer;
        this.role = role;
        this.commands = commands;
        this.mapper = mapper;
        this.maxLineBytes = maxLineBytes;
    }

    /** The peer's credentials as the kernel reports them (SO_PEERCRED), with its uid. */
    static Peer peerOf(SocketChannel channel, Accounts accounts) throws IOException {
        UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String user = p.user().getName();
        int uid = accounts.uidOf(user).orElseThrow(() -> new IOException("no user id for peer '" + user + "'"));
        return new Peer(uid, user, p.group().getName());
    }

    @Override
    public void run() {
        try (channel) {
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(channel), 8192);
            ResponseWriter response = new ResponseWriter(mapper, new TimedOutput(Channels.newOutputStream(channel), clock));
            if (role == Role.NONE) {
                log.info("API: refused {} (uid {}: not root, not in the socket's group)", peer.user(), peer.uid());
                response.error(null, new ApiError(ApiError.FORBIDDEN, "user " + peer.user() + " may not use this socket"));
                drainBriefly();
                return;
            }
            while (true) {
                byte[] line;
                try {
                    line = readLine(in);
                } catch (LineTooLong e) {
                    response.error(null, new ApiError(ApiError.LINE_TOO_LONG, "a request line is at most " + maxLineBytes
                            + " bytes; closing the connection"));
                    return;
                }
                if (line == null) {
                    return;
                }
                if (line.length == 0) {
                    continue;
                }
                serve(line, role, response);
            }
        } catch (IOException e) {
            log.debug("API client {} went away: {}", peer.user(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("API client {}: internal error", peer.user(), e);
        }
    }

    private void serve(byte[] line, Role role, ResponseWriter response) throws IOException {
        JsonNode id = null;
        try {
            JsonNode node;
            try {
                node = mapper.readTree(line);
            } catch (JsonProcessingException e) {
                throw new ApiError(ApiError.BAD_JSON, "not JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                // Not the connection failing: readTree guesses the encoding from the first bytes, so a
                // line starting with NULs is read as UTF-32, whose decoder fails with a plain
                // CharConversionException. Answered as the bad request it is (it used to end the
                // connection without an answer: fuzz campaign api, docs/security-fuzz.md).
                throw new ApiError(ApiError.BAD_JSON, "not JSON: " + e.getMessage());
            }
            if (node == null) {
                throw new ApiError(ApiError.BAD_JSON, "empty request");
            }
            id = node.get("id");
            ApiRequest request = ApiRequest.from(node, peer);
            CommandHandler handler = commands.get(request.command());
            if (handler == null) {
                throw new ApiError(ApiError.UNKNOWN_COMMAND, "unknown command '" + request.command() + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(commands.keySet())));
            }
            if (!role.allows(handler.requires())) {
                throw new ApiError(ApiError.FORBIDDEN, "'" + request.command() + "' changes the router: root or the admin group only");
            }
            handler.handle(request, response);
        } catch (ApiError e) {
            response.error(id, e);
        } catch (RuntimeException e) {
            log.error("API command failed", e);
            response.error(id, new ApiError(ApiError.INTERNAL, "internal error: " + e));
        }
    }

    /** A line without its '\n'; null at end of stream. Longer lines are refused, not buffered. */
    private byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        reading.idle(System.nanoTime());
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return buf.size() == 0 ? null : buf.toByteArray();
                }
                if (b == '\n') {
                    return buf.toByteArray();
                }
                if (buf.size() == 0) {
                    reading.partial(System.nanoTime());
                }
                if (buf.size() >= maxLineBytes) {
                    throw new LineTooLong();
                }
                buf.write(b);
            }
        } finally {
            reading.busy();
        }
    }

    /** Closed by the watchdog: why, or null while the client keeps within its read deadlines. */
    String readOverdue(long now, long partialNanos, long idleNanos) {
        return reading.overdue(now, partialNanos, idleNanos);
    }

    /**
     * After refusing a peer: stop sending and read (and drop) what it is still writing, for a
     * moment. Closing at once would make its request write fail (EPIPE) and many clients, socat
     * among them, would then never read the answer that says why. Bounded in time and bytes.
     */
    private void drainBriefly() {
        try {
            channel.shutdownOutput();
            channel.configureBlocking(false);
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
                java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(8192);
                long deadline = System.nanoTime() + 1_000_000_000L;
                long total = 0;
                while (total < 65536) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0 || selector.select(left) == 0) {
                        return;
                    }
                    selector.selectedKeys().clear();
                    int n = channel.read(sink);
                    sink.clear();
                    if (n < 0) {
                        return;
                    }
                    total += n;
                }
            }
        } catch (IOException ignored) {
            // the peer is gone: nothing left to drain
        }
    }

    long writeStalledSince(long now) {
        return clock.stalledFor(now);
    }

    String peerName() {
        return peer.user();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static final class LineTooLong extends IOException {
    }

    /**
     * Where the reader is: waiting for a request (idle), inside a request line (partial), or not
     * reading at all (a command is being served, an event stream included).
     */
    static final class ReadClock {
        private volatile long idleSince;
        private volatile long partialSince;

        void idle(long now) {
            partialSince = 0;
            idleSince = now;
        }

        void partial(long now) {
            idleSince = 0;
            partialSince = now;
        }

        void busy() {
            idleSince = 0;
            partialSince = 0;
        }

        String overdue(long now, long partialNanos, long idleNanos) {
            long p = partialSince;
            if (p != 0 && now - p > partialNanos) {
                return "sent part of a request line and nothing more for " + partialNanos / 1_000_000_000L + " s";
            }
            long i = idleSince;
            if (i != 0 && now - i > idleNanos) {
                return "sent no request for " + idleNanos / 1_000_000_000L + " s";
            }
            return null;
        }
    }

    /** When the current write started, if one is blocked. */
    static final class StallClock {
        private volatile long writingSince;

        void begin() {
            writingSince = System.nanoTime();
        }

        void end() {
            writingSince = 0;
        }

        long stalledFor(long now) {
            long since = writingSince;
            return since == 0 ? 0 : now - since;
        }
    }

    /** Marks each write so the watchdog can tell a client that stopped reading. */
    private static final class TimedOutput extends OutputStream {
        private final OutputStream out;
        private final StallClock clock;

        TimedOutput(OutputStream out, StallClock clock) {
            this.out = new java.io.BufferedOutputStream(out, 64 * 1024);
            this.clock = clock;
        }

        @Override
        public void write(int b) throws IOException {
            clock.begin();
            try {
                out.write(b);
            } finally {
                clock.end();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            clock.begin();
            try {
                out.write(b, off, len);
            } finally {
                clock.end();
            }
        }

        @Override
        public void flush() throws IOException {
            clock.begin();
            try {
                out.flush();
            } finally {
                clock.end();
            }
        }
    }
}
