package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.api.ApiError;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.ftpnat.conntrack.ConntrackLine;
import io.ftpnat.conntrack.ConntrackQuery;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackEvent;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.EventHandler;
import io.ftpnat.nativ.netlink.conntrack.ExpectationEvent;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** API commands that read the kernel's conntrack and expectation tables (docs/api.md). */
final class ConntrackApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Event streams users other than root may hold at once (each pins a kernel receive buffer). */
    static final int MAX_STREAMS_FOR_OTHERS = 4;

    private final ConntrackTables tables;
    private final java.util.concurrent.Semaphore otherUsersStreams = new java.util.concurrent.Semaphore(MAX_STREAMS_FOR_OTHERS);
    private final EventLoss eventLoss;
    private final io.ftpnat.session.SessionModel sessions;
    private final PipelinedDump pipeline;

    /**
     * @param sessions the session model whose events join the {@code events} stream (null: none)
     * @param pipeline where the listing dumps run, beside the thread that writes the answer
     */
    ConntrackApi(ConntrackTables tables, EventLoss eventLoss, io.ftpnat.session.SessionModel sessions, PipelinedDump pipeline) {
        this.tables = tables;
        this.pipeline = pipeline;
        this.eventLoss = eventLoss;
        this.sessions = sessions;
    }

    Map<String, CommandHandler> commands() {
        Map<String, CommandHandler> m = new LinkedHashMap<>();
        m.put("conntrack.list", CommandHandler.of(Role.QUERY, this::list));
        m.put("conntrack.count", CommandHandler.of(Role.QUERY, this::count));
        m.put("expect.list", CommandHandler.of(Role.QUERY, this::expectations));
        m.put("events", CommandHandler.of(Role.QUERY, this::events));
        return m;
    }

    private void list(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        ConntrackQuery query = query(request.args());
        boolean lines = format(request);
        ResponseWriter.Stream stream = response.stream(request);
        // JSON items are written field by field from the decoded entry (no tree per entry)
        dump(() -> pipeline.run(into -> tables.dump(query.kernelFilter(), into), new Streaming<Conntrack>(stream, lines
                ? (out, c) -> {
                    if (query.matches(c)) {
                        out.line(ConntrackLine.of(c));
                    }
                }
                : (out, c) -> {
                    if (query.matches(c)) {
                        out.item(g -> ConntrackJson.write(g, c));
                    }
                })));
        stream.end();
    }

    private void count(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        ConntrackQuery query = query(request.args());
        if (query.equals(ConntrackQuery.all())) {
            // No filter: the kernel keeps the number itself, and conntrack -C reads it there too;
            // a dump of a large table would take a second to say the same.
            long n = kernelCount();
            if (n >= 0) {
                response.result(request, JSON.objectNode().put("count", n));
                return;
            }
        }
        AtomicLong n = new AtomicLong();
        dump(() -> tables.dump(query.kernelFilter(), new DumpConsumer<>() {
            @Override
            public void accept(Conntrack c) {
                if (query.matches(c)) {
                    n.incrementAndGet();
                }
            }

            @Override
            public void restart() {
                n.set(0);
            }
        }));
        response.result(request, JSON.objectNode().put("count", n.get()));
    }

    /** The namespace's conntrack entry count as the kernel keeps it; -1 when it cannot be read. */
    private static long kernelCount() {
        return io.ftpnat.kernel.ProcSys.netfilter("nf_conntrack_count");
    }

    private void expectations(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        boolean lines = format(request);
        ResponseWriter.Stream stream = response.stream(request);
        dump(() -> pipeline.run(tables::dumpExpectations, new Streaming<Expectation>(stream, lines
                ? (out, e) -> out.line(ConntrackLine.of(e))
                : (out, e) -> out.item(ConntrackJson.of(e)))));
        stream.end();
    }

    /**
     * Streams conntrack and expectation events as the kernel multicasts them, until the client
     * goes away or the optional {@code count}/{@code seconds} limits are reached. An idle stream
     * carries a heartbeat every few seconds, which is also how a vanished client is noticed.
     * {@code {"type":"lost"}} says the kernel dropped events (ENOBUFS): dump to resynchronise.
     * Session events ({@code "type":"session-..."}) come from the daemon's session model; they are
     * not filtered by the conntrack filters and are written between polls (within 200 ms).
     */
    private void events(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        // Each stream is a netlink socket whose receive buffer (forced to several MiB) is kernel
        // memory: users other than root share a few streams; root is not limited here.
        boolean counted = !request.fromRoot();
        if (counted && !otherUsersStreams.tryAcquire()) {
            throw new ApiError(ApiError.TOO_MANY_CLIENTS, "at most " + MAX_STREAMS_FOR_OTHERS
                    + " event streams run at once for users other than root; try again later");
        }
        try {
            streamEvents(request, response);
        } finally {
            if (counted) {
                otherUsersStreams.release();
            }
        }
    }

    private void streamEvents(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        ConntrackQuery query = query(withoutLimits(request.args()));
        long maxCount = longArg(request, "count");
        long maxSeconds = longArg(request, "seconds");
        long deadline = maxSeconds > 0 ? System.nanoTime() + maxSeconds * 1_000_000_000L : Long.MAX_VALUE;
        boolean lines = format(request);
        java.util.concurrent.BlockingQueue<io.ftpnat.session.SessionEvent> sessionEvents = new java.util.concurrent.LinkedBlockingQueue<>(10_000);
        java.util.function.Consumer<io.ftpnat.session.SessionEvent> sessionListener = sessionEvents::offer;
        if (sessions != null && !lines) {
            sessions.addListener(sessionListener);
        }
        try (ConntrackTables.EventStream events = tables.subscribe()) {
            ResponseWriter.Stream stream = response.stream(request);
            // The subscription is in place: say so at once, so a client (or a test) knows from
            // when on no event is missed, instead of guessing how long the subscription takes.
            write(stream, JSON.objectNode().put("type", "heartbeat"));
            AtomicLong sent = new AtomicLong();
            long lastWrite = System.nanoTime();
            EventHandler handler = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent event) {
                    if (query.matches(event.conntrack()) && (maxCount == 0 || sent.get() < maxCount)) {
                        String type = event.type().name().toLowerCase(java.util.Locale.ROOT);
                        write(stream, lines
                                ? JSON.objectNode().put("line", String.format("%9s ", "[" + event.type().name() + "]")
                                        + ConntrackLine.of(event.conntrack()))
                                : JSON.objectNode().put("type", type).set("conntrack", ConntrackJson.of(event.conntrack())));
                        sent.incrementAndGet();
                    }
                }

                @Override
                public void onExpectation(ExpectationEvent event) {
                    if (maxCount == 0 || sent.get() < maxCount) {
                        write(stream, lines
                                ? JSON.objectNode().put("line", String.format("%9s ", "[" + event.type().name() + "]")
                                        + ConntrackLine.of(event.expectation()))
                                : JSON.objectNode().put("type", "expect-" + event.type().name().toLowerCase(java.util.Locale.ROOT))
                                        .set("expectation", ConntrackJson.of(event.expectation())));
                        sent.incrementAndGet();
                    }
                }

                @Override
                public void onEventsLost() {
                    eventLoss.record();
                    write(stream, JSON.objectNode().put("type", "lost"));
                }
            };
            while ((maxCount == 0 || sent.get() < maxCount) && System.nanoTime() < deadline
                    && !Thread.currentThread().isInterrupted()) {
                int n = events.poll(handler, 200);
                for (io.ftpnat.session.SessionEvent se; (se = sessionEvents.poll()) != null
                        && (maxCount == 0 || sent.get() < maxCount); ) {
                    write(stream, JSON.objectNode().put("type", se.type()).put("session", se.session()).put("rule", se.rule())
                            .put("text", se.text()));
                    sent.incrementAndGet();
                    n++;
                }
                if (n > 0) {
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > HEARTBEAT_NANOS) {
                    write(stream, JSON.objectNode().put("type", "heartbeat"));
                    lastWrite = System.nanoTime();
                }
            }
            stream.end();
        } catch (NetlinkException e) {
            throw new ApiError(ApiError.KERNEL, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (sessions != null) {
                sessions.removeListener(sessionListener);
            }
        }
    }

    private static final long HEARTBEAT_NANOS = 5_000_000_000L;

    private static void write(ResponseWriter.Stream stream, JsonNode item) {
        try {
            stream.item(item);
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode withoutLimits(ObjectNode args) {
        ObjectNode copy = args.deepCopy();
        copy.remove("count");
        copy.remove("seconds");
        copy.remove("format");
        return copy;
    }

    private static long longArg(ApiRequest request, String name) throws ApiError {
        JsonNode n = request.args().get(name);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0) {
            throw new ApiError(ApiError.BAD_REQUEST, "argument '" + name + "' must be a whole number >= 0");
        }
        return n.asLong();
    }

    private static boolean format(ApiRequest request) throws ApiError {
        String f = request.stringArg("format");
        if (f == null || f.equals("json")) {
            return false;
        }
        if (f.equals("conntrack")) {
            return true;
        }
        throw new ApiError(ApiError.BAD_REQUEST, "format '" + f + "' is not json or conntrack");
    }

    private interface Dump {
        long run() throws NetlinkException;
    }

    /** Runs a dump; a netlink failure becomes a kernel error, a vanished client an IOException. */
    private static void dump(Dump dump) throws ApiError, IOException {
        try {
            dump.run();
        } catch (NetlinkException e) {
            throw new ApiError(ApiError.KERNEL, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes one entry to a stream (or nothing, when it does not match). */
    private interface Emitter<T> {
        void emit(ResponseWriter.Stream out, T entry) throws IOException;
    }

    /**
     * Writes each accepted entry to the stream as it is decoded: nothing is collected. The emitter
     * writes a conntrack-tools line or a JSON item, or skips the entry.
     */
    private static final class Streaming<T> implements DumpConsumer<T> {
        private final ResponseWriter.Stream stream;
        private final Emitter<T> emitter;

        Streaming(ResponseWriter.Stream stream, Emitter<T> emitter) {
            this.stream = stream;
            this.emitter = emitter;
        }

        @Override
        public void accept(T entry) {
            try {
                emitter.emit(stream, entry);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void restart() {
            try {
                stream.restart();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }



    /** The query's filters; one that does not parse is the client's error. */
    private static ConntrackQuery query(ObjectNode args) throws ApiError {
        try {
            return ConntrackQuery.from(args);
        } catch (io.ftpnat.conntrack.QueryException e) {
            throw new ApiError(ApiError.BAD_REQUEST, e.getMessage());
        }
    }
}
