package io.ftpnat.alg;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes for one peer, queued in the order the dialogue decided them and written by whichever
 * session thread flushes next. Deciding (under the dialogue's lock) and writing (which may block
 * on a slow peer) are apart, so a peer that stops reading stalls only its own direction. Bounded:
 * a peer that sends commands but never reads the answers gets its session closed.
 */
final class Outbox {
    private final OutputStream out;
    private final int maxQueued;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final ReentrantLock writing = new ReentrantLock();
    private int queued;
    private boolean overflowed;

    Outbox(OutputStream out, int maxQueued) {
        this.out = out;
        this.maxQueued = maxQueued;
    }

    /** Queues text (one char per byte, as read). */
    synchronized void offer(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        if (queued + b.length > maxQueued) {
            overflowed = true;
            return;
        }
        queue.add(b);
        queued += b.length;
    }

    synchronized boolean overflowed() {
        return overflowed;
    }

    /** Writes everything queued so far. */
    void flush() throws IOException {
        writing.lock();
        try {
            boolean wrote = false;
            while (true) {
                byte[] b;
                synchronized (this) {
                    b = queue.poll();
                    if (b == null) {
                        break;
                    }
                    queued -= b.length;
                }
                out.write(b);
                wrote = true;
            }
            if (wrote) {
                out.flush();
            }
        } finally {
            writing.unlock();
        }
    }
}
