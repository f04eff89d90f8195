package io.ftpnat.alg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Bytes for one peer, queued in the order the dialogue decided them and written when the peer's
 * socket takes them (non-blocking: what it does not take now waits for its OP_WRITE). Deciding and
 * writing are apart, so a peer that stops reading stalls only its own direction: past
 * {@link #pauseAt} the session stops reading what would add to it. Bounded: past {@code maxQueued}
 * the peer does not read its replies and the session ends. Used on the session's loop thread only.
 */
final class Outbox {
    private final int maxQueued;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private int queued;
    private boolean overflowed;

    Outbox(int maxQueued) {
        this.maxQueued = maxQueued;
    }

    /** Queues text (one char per byte, as read). */
    void offer(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        if (queued + b.length > maxQueued) {
            overflowed = true;
            return;
        }
        queue.add(ByteBuffer.wrap(b));
        queued += b.length;
    }

    boolean overflowed() {
        return overflowed;
    }

    boolean pending() {
        return queued > 0;
    }

    /** Whether the direction that fills this box should pause: half the bound (one read's worth of replies still fits). */
    boolean pauseAt() {
        return queued > maxQueued / 2;
    }

    /** Writes what the socket takes now; true when everything queued is written. */
    boolean flush(SocketChannel to) throws IOException {
        while (!queue.isEmpty()) {
            ByteBuffer b = queue.peek();
            int n = to.write(b);
            queued -= n;
            if (b.hasRemaining()) {
                return false;
            }
            queue.poll();
        }
        return true;
    }
}
