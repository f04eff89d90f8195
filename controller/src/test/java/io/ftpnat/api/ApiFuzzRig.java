package io.ftpnat.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * One API connection without a socket, for the API fuzz campaign (io.ftpnat.fuzz.ApiFuzzTest): a
 * {@link ClientSession} — the daemon's own read-authorise-dispatch-answer loop — over a channel
 * whose reads return the client's bytes in the pieces the fuzzer chose and whose writes are
 * collected. The peer is root (admin) or a member of the query group, as SO_PEERCRED would say.
 */
public final class ApiFuzzRig {
    public static final int MAX_LINE = 1024;

    /** Runs the session over {@code reads} (one read each) and returns everything it wrote. */
    public static byte[] converse(List<byte[]> reads, boolean queryRole, Map<String, CommandHandler> commands, ObjectMapper mapper) {
        Authorizer authorizer = new Authorizer(new GroupDatabase(Path.of("/nonexistent/group")), "ftpnat", "ftpnat-admin");
        ScriptedChannel channel = new ScriptedChannel(reads, queryRole ? "fuzz" : "root", queryRole ? "ftpnat" : "root");
        // the accept thread's part (ApiServer.admit): who it is and what it may do, from the kernel's credentials
        Peer peer = queryRole ? new Peer(1000, "fuzz", "ftpnat") : new Peer(0, "root", "root");
        new ClientSession(channel, peer, authorizer.roleOf(peer), commands, mapper, MAX_LINE).run();
        return channel.written.toByteArray();
    }

    /** The stub commands of the campaign: an answer, a stream, an echo of client text, refusals and failures. */
    public static Map<String, CommandHandler> stubCommands(ObjectMapper mapper) {
        return Map.of(
                "status", CommandHandler.of(Role.QUERY, (r, w) -> w.result(r, mapper.createObjectNode().put("sessions", 0))),
                "list", CommandHandler.of(Role.QUERY, (r, w) -> {
                    int n = Math.min(20, Math.max(0, r.args().path("n").asInt(2)));
                    ResponseWriter.Stream s = w.stream(r);
                    for (int i = 0; i < n; i++) {
                        s.item(mapper.createObjectNode().put("i", i));
                    }
                    s.end();
                }),
                "echo", CommandHandler.of(Role.QUERY, (r, w) -> w.result(r, mapper.createObjectNode().put("s", r.requiredString("s")))),
                "fail", CommandHandler.of(Role.QUERY, (r, w) -> {
                    throw new ApiError(ApiError.NOT_FOUND, "no such thing: " + r.stringArg("what"));
                }),
                "boom", CommandHandler.of(Role.QUERY, (r, w) -> {
                    throw new IllegalStateException("handler bug");
                }),
                "half", CommandHandler.of(Role.QUERY, (r, w) -> {
                    w.stream(r).item(mapper.createObjectNode().put("i", 0));
                    throw new IllegalStateException("failed in the middle of a stream");
                }),
                "apply", CommandHandler.of(Role.ADMIN, (r, w) -> w.result(r, mapper.createObjectNode().put("applied", true))));
    }

    /** A connected channel whose reads play a script and whose writes are kept. */
    private static final class ScriptedChannel extends SocketChannel {
        private final List<byte[]> reads;
        private final UnixDomainPrincipal peer;
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private int next;
        private int offset;

        ScriptedChannel(List<byte[]> reads, String user, String group) {
            super(SelectorProvider.provider());
            this.reads = reads;
            UserPrincipal u = () -> user;
            GroupPrincipal g = () -> group;
            this.peer = new UnixDomainPrincipal(u, g);
        }

        @Override
        public int read(ByteBuffer dst) {
            while (next < reads.size() && offset >= reads.get(next).length) {
                next++;
                offset = 0;
            }
            if (next >= reads.size()) {
                return -1;
            }
            byte[] r = reads.get(next);
            int n = Math.min(dst.remaining(), r.length - offset);
            dst.put(r, offset, n);
            offset += n;
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int off, int len) {
            return read(dsts[off]);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            written.write(b, 0, n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int off, int len) {
            long n = 0;
            for (int i = off; i < off + len; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(SocketOption<T> name) throws IOException {
            if (name == ExtendedSocketOptions.SO_PEERCRED) {
                return (T) peer;
            }
            throw new UnsupportedOperationException(name.name());
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) {
            return this;
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of(ExtendedSocketOptions.SO_PEERCRED);
        }

        @Override
        public SocketChannel bind(SocketAddress local) {
            return this;
        }

        @Override
        public SocketChannel shutdownInput() {
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() {
            return this;
        }

        @Override
        public Socket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isConnectionPending() {
            return false;
        }

        @Override
        public boolean connect(SocketAddress remote) {
            return true;
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }
}
