package io.ftpnat.alg;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The proxy's connection to the server while it is being made: non-blocking, on the loop that
 * will carry the session, with a deadline checked every loop round (no thread waits on it).
 */
final class PendingConnect implements SelectorLoop.Handler {
    /** What becomes of it: {@code connected} with the key (kept for the session), or {@code failed} with the reason. */
    interface Outcome {
        void connected(SelectionKey key);

        void failed(String reason);
    }

    private final SelectorLoop loop;
    private final SocketChannel up;
    private final long deadline;
    private final Outcome outcome;
    private SelectionKey key;
    private boolean done;

    PendingConnect(SelectorLoop loop, SocketChannel up, long timeoutMillis, Outcome outcome) {
        this.loop = loop;
        this.up = up;
        this.deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        this.outcome = outcome;
    }

    /** On the loop's thread: waits for the connect started on {@code up}. */
    void register() throws IOException {
        key = up.register(loop.selector(), SelectionKey.OP_CONNECT, this);
        loop.tick(this);
    }

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (done || !k.isConnectable()) {
            return;
        }
        try {
            if (!up.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            finish();
            outcome.failed(e.getMessage());
            return;
        }
        finish();
        k.interestOps(0);
        outcome.connected(k);
    }

    @Override
    public void failed(Throwable e) {
        if (!done) {
            finish();
            outcome.failed(e.toString());
        }
    }

    @Override
    public void tick(long now) {
        if (!done && now - deadline > 0) {
            finish();
            key.cancel();
            outcome.failed("connect timed out");
        }
    }

    private void finish() {
        done = true;
        loop.stopTicking(this);
    }
}
