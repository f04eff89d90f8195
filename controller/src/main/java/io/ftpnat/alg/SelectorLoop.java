package io.ftpnat.alg;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread and one {@link Selector} carrying many proxied control connections: every socket of
 * the sessions assigned to it is non-blocking and registered here, and each ready key's
 * {@link Handler} runs on this thread. The ALG runs a small fixed number of these
 * ({@link ProxyServer#LOOPS}); no thread exists per session or per connection.
 *
 * <p>Other threads hand work to the loop with {@link #execute} (registration must happen on the
 * selector's thread to avoid blocking on its lock). Nothing escapes a handler: an exception ends
 * that handler's session only; a {@link VirtualMachineError} halts the daemon ({@link Fatal}).
 */
final class SelectorLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);
    /** Reads per ready socket at most this many bytes at once (the old readers' 4 KiB): bounds what one read can queue. */
    static final int READ_CHUNK = 4096;

    /** What a registered key's attachment does when its socket is ready. */
    interface Handler {
        void ready(SelectionKey key) throws IOException;

        /** The handler failed: end what it belongs to. */
        void failed(Throwable e);

        /** Called once per loop round (about twice a second at least): deadlines. */
        default void tick(long nanoTime) {
        }
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final java.util.Set<Handler> ticking = new java.util.HashSet<>();
    private final Thread thread;
    /** The loop's one read buffer: handlers run one at a time on this thread and consume what they read at once. */
    final byte[] readBuffer = new byte[READ_CHUNK];
    private volatile boolean open = true;

    SelectorLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new LoopThread(this, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** A loop's thread knows its loop: what runs on it (a dialogue opening a relayed channel) can register there. */
    private static final class LoopThread extends Thread {
        final SelectorLoop loop;

        LoopThread(SelectorLoop loop, String name) {
            super(loop::run, name);
            this.loop = loop;
        }
    }

    /** The loop whose thread calls, or empty off the loops. */
    static java.util.Optional<SelectorLoop> current() {
        return Thread.currentThread() instanceof LoopThread t ? java.util.Optional.of(t.loop) : java.util.Optional.empty();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop's thread (at once when called there). */
    void execute(Runnable task) {
        if (inLoop()) {
            task.run();
            return;
        }
        tasks.add(task);
        selector.wakeup();
    }

    /** The handler's {@link Handler#tick} runs every round until {@link #stopTicking}; loop thread only. */
    void tick(Handler h) {
        ticking.add(h);
    }

    void stopTicking(Handler h) {
        ticking.remove(h);
    }

    private void run() {
        while (open) {
            try {
                selector.select(500);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.warn("proxy: {} task: {}", thread.getName(), e.toString());
                    }
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Handler h = (Handler) key.attachment();
                    try {
                        if (key.isValid()) {
                            h.ready(key);
                        }
                    } catch (CancelledKeyException e) {
                        // closed meanwhile (a timeout, the daemon stopping): nothing left to do
                    } catch (VirtualMachineError e) {
                        Fatal.halt("proxy " + thread.getName(), e);
                    } catch (Throwable e) {
                        h.failed(e);
                    }
                }
                if (!ticking.isEmpty()) {
                    long now = System.nanoTime();
                    for (Handler h : java.util.List.copyOf(ticking)) {
                        h.tick(now);
                    }
                }
            } catch (VirtualMachineError e) {
                Fatal.halt("proxy " + thread.getName(), e);
            } catch (Throwable e) {
                // the loop goes on: one bad key must not end the service for every session on it
                log.error("proxy: {}: {}", thread.getName(), e.toString(), e);
            }
        }
    }

    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            thread.join(2000);
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
