package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router port waiting, on a {@link SelectorLoop}, for the one data connection of a relayed
 * channel: only from the expected peer (no third party, as in the kernel path), at most one, and
 * within the data timeout (checked every loop round). Closing it, or the connection arriving,
 * closes the listening socket. No thread of its own.
 */
final class DataListener implements SelectorLoop.Handler {
    private static final Logger log = LoggerFactory.getLogger(DataListener.class);

    private final String what;
    private final ServerSocketChannel ss;
    private final IpAddress expected;
    private final long deadline;
    private final Duration timeout;
    private final SelectorLoop loop;
    private final Consumer<SocketChannel> accepted;
    private final Runnable gaveUp;
    private boolean done;

    private DataListener(String what, ServerSocketChannel ss, IpAddress expected, Duration timeout, SelectorLoop loop,
            Consumer<SocketChannel> accepted, Runnable gaveUp) {
        this.what = what;
        this.ss = ss;
        this.expected = expected;
        this.timeout = timeout;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.loop = loop;
        this.accepted = accepted;
        this.gaveUp = gaveUp;
    }

    /**
     * Waits on {@code loop} for {@code expected}'s connection on {@code ss} (bound); on the loop's
     * thread. {@code accepted} gets it (non-blocking); {@code gaveUp} runs when nobody came in time.
     */
    static DataListener start(String what, ServerSocketChannel ss, IpAddress expected, Duration timeout, SelectorLoop loop,
            Consumer<SocketChannel> accepted, Runnable gaveUp) throws IOException {
        DataListener l = new DataListener(what, ss, expected, timeout, loop, accepted, gaveUp);
        ss.configureBlocking(false);
        ss.register(loop.selector(), SelectionKey.OP_ACCEPT, l);
        loop.tick(l);
        return l;
    }

    @Override
    public void ready(SelectionKey key) throws IOException {
        SocketChannel a;
        while (!done && (a = ss.accept()) != null) {
            InetSocketAddress peer = Addresses.unmapped((InetSocketAddress) a.getRemoteAddress());
            if (!Addresses.of(peer).equals(expected)) { // socket edge: the accepted peer's address
                log.warn("{}: connection from {} refused (expected {})", what, Addresses.endpoint(peer), Addresses.text(expected));
                a.close();
                continue;
            }
            close();
            a.configureBlocking(false);
            accepted.accept(a);
        }
    }

    @Override
    public void tick(long now) {
        if (!done && now - deadline > 0) {
            log.info("{}: nobody came within {} s", what, timeout.toSeconds());
            close();
            gaveUp.run();
        }
    }

    @Override
    public void failed(Throwable e) {
        log.info("{}: {}", what, e.toString());
        close();
        gaveUp.run();
    }

    /**
     * Stops listening; from any thread (the work runs on the loop). A connection from the expected
     * peer that the kernel has already completed, waiting in the accept queue, is still handed on:
     * the transfer's end ("226") can be read on the control connection before the loop accepted
     * the data connection the server already sent everything on, and closing the listener then
     * would reset it with the data in it.
     */
    void cancel() {
        loop.execute(() -> {
            acceptPending();
            close();
        });
    }

    /** On the loop's thread: hands on a connection already waiting in the accept queue, if any; keeps listening otherwise. */
    void acceptPending() {
        try {
            ready(null);
        } catch (IOException e) {
            failed(e);
        }
    }

    boolean done() {
        return done;
    }

    private void close() {
        if (done) {
            return;
        }
        done = true;
        loop.stopTicking(this);
        try {
            ss.close(); // cancels its key
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
