package io.ftpnat.alg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two connected sockets joined on a {@link SelectorLoop}: what one sends, the other gets, until
 * both have ended (a data channel the kernel cannot forward: mixed families, a converted mode).
 * No thread of its own. Each direction has one bounded buffer ({@link #BUFFER}); while it is full
 * its source is not read, so a peer that stops reading stalls only the direction towards it (TCP
 * tells the sender to wait), and the other direction goes on. An end of stream is passed on as a
 * half-close once the buffer is drained; an error on either socket ends both.
 */
final class ByteBridge {
    private static final Logger log = LoggerFactory.getLogger(ByteBridge.class);
    /** Bytes buffered per direction at most (two per relayed channel). */
    static final int BUFFER = 64 * 1024;

    private final String what;
    private final End a;
    private final End b;
    private boolean closed;

    /** One socket: the source of the buffer towards the other end, and the sink of the other end's. */
    private final class End implements SelectorLoop.Handler {
        final SocketChannel socket;
        final ByteBuffer toOther = ByteBuffer.allocateDirect(BUFFER); // filled from this socket, drained into the other
        End other;
        SelectionKey key;
        boolean eof; // this socket sent its end
        boolean shut; // the other end's output is shut down: this direction is over

        End(SocketChannel socket) {
            this.socket = socket;
        }

        @Override
        public void ready(SelectionKey k) throws IOException {
            if (closed) {
                return;
            }
            if (k.isWritable()) {
                other.drainInto(); // the other end's buffer goes to this socket
            }
            if (!closed && k.isReadable()) {
                fill();
            }
            if (!closed) {
                interest();
                other.interest();
                if (shut && other.shut) {
                    close(null);
                }
            }
        }

        /** Reads what fits into this direction's buffer, then passes on what the other socket takes now. */
        private void fill() throws IOException {
            int n = socket.read(toOther);
            if (n < 0) {
                eof = true;
            }
            drainInto();
        }

        /** Writes this end's buffer into the other socket; at its end of stream, once drained, half-closes it. */
        void drainInto() throws IOException {
            toOther.flip();
            try {
                if (toOther.hasRemaining()) {
                    other.socket.write(toOther);
                }
            } finally {
                toOther.compact();
            }
            if (eof && toOther.position() == 0 && !shut) {
                shut = true;
                other.socket.shutdownOutput();
            }
        }

        /** Reads while there is room and no end yet; writes while the other end has bytes for this socket. */
        void interest() {
            if (key == null || !key.isValid()) {
                return;
            }
            int ops = 0;
            if (!eof && toOther.hasRemaining()) {
                ops |= SelectionKey.OP_READ;
            }
            if (other.toOther.position() > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
            key.interestOps(ops);
        }

        @Override
        public void failed(Throwable e) {
            close(e);
        }
    }

    private ByteBridge(String what, SocketChannel x, SocketChannel y) {
        this.what = what;
        this.a = new End(x);
        this.b = new End(y);
        a.other = b;
        b.other = a;
    }

    /** Joins {@code x} and {@code y} (connected) on {@code loop}; on the loop's thread. Closes both on failure. */
    static ByteBridge join(String what, SocketChannel x, SocketChannel y, SelectorLoop loop) {
        ByteBridge bridge = new ByteBridge(what, x, y);
        try {
            for (End e : new End[] {bridge.a, bridge.b}) {
                e.socket.configureBlocking(false);
                // a socket registered already (its connect) gets this handler on the same key
                e.key = e.socket.register(loop.selector(), 0, e);
            }
            bridge.a.interest();
            bridge.b.interest();
        } catch (IOException | RuntimeException e) {
            bridge.close(e);
        }
        return bridge;
    }

    boolean closed() {
        return closed;
    }

    private void close(Throwable why) {
        if (closed) {
            return;
        }
        closed = true;
        if (why == null) {
            log.debug("data relay ended ({})", what);
        } else {
            log.info("data relay ended ({}): {}", what, why.getMessage() == null ? why.toString() : why.getMessage());
        }
        for (End e : new End[] {a, b}) {
            if (e.key != null) {
                e.key.cancel();
            }
            try {
                e.socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
