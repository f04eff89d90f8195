package io.ftpnat.daemon;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a table dump on a dump thread and hands its entries to the caller's thread in batches. The
 * kernel fills a dump's datagrams inside recvmsg, on the thread that receives them: with the
 * receiving and decoding on one thread and the formatting and writing of the answer on the API's,
 * the two overlap on a router's second core instead of taking turns (docs/benchmarks.md, #14).
 *
 * <p>Bounded: {@link #THREADS} dumps run this way at once (a further one runs on its caller's
 * thread, as before), and at most {@link #QUEUED} batches of {@link #BATCH} entries wait for their
 * writer, so a slow client slows its dump down rather than filling memory. A restart of the dump
 * (NLM_F_DUMP_INTR) reaches the consumer in order; a failure of either side stops the other.
 */
final class PipelinedDump implements AutoCloseable {
    static final int THREADS = 2;
    static final int BATCH = 256;
    static final int QUEUED = 16;

    /** One dump of a table into a consumer: the kernel verb, bound to its filter. */
    @FunctionalInterface
    interface Source<T> {
        long dump(DumpConsumer<T> consumer) throws NetlinkException;
    }

    private static final Object RESTART = new Object();

    private record End(long count) {
    }

    private record Failed(Throwable cause) {
    }

    private final Semaphore free = new Semaphore(THREADS);
    private final ExecutorService threads;

    PipelinedDump() {
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "dump-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Dumps through {@code source} into {@code consumer}, whose calls all come on this thread; returns the dump's count. */
    <T> long run(Source<T> source, DumpConsumer<T> consumer) throws NetlinkException {
        if (!free.tryAcquire()) {
            return source.dump(consumer);
        }
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUED);
        Handoff<T> handoff = new Handoff<>(queue);
        try {
            threads.execute(() -> {
                try {
                    long count = source.dump(handoff);
                    handoff.flush();
                    handoff.put(new End(count));
                } catch (Cancelled c) {
                    // the writer stopped first: it has its own reason
                } catch (Throwable t) {
                    handoff.putQuietly(new Failed(t));
                } finally {
                    free.release();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            free.release();
            return source.dump(consumer);
        }
        try {
            return deliver(queue, consumer);
        } finally {
            handoff.cancelled = true;
            queue.clear(); // a dump thread waiting to put sees the cancel within one poll
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> long deliver(BlockingQueue<Object> queue, DumpConsumer<T> consumer) throws NetlinkException {
        while (true) {
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetlinkException("dump", "interrupted");
            }
            if (next instanceof End end) {
                return end.count();
            } else if (next instanceof Failed failed) {
                Throwable t = failed.cause();
                if (t instanceof NetlinkException ne) {
                    throw ne;
                } else if (t instanceof RuntimeException re) {
                    throw re;
                } else if (t instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(t);
            } else if (next == RESTART) {
                consumer.restart();
            } else {
                for (T entry : (List<T>) next) {
                    consumer.accept(entry);
                }
            }
        }
    }

    /** The writer is gone: the dump thread stops at its next entry. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("the answer's writer stopped", null, false, false);
        }
    }

    /** The dump thread's side: entries in batches into the queue, waiting while it is full. */
    private static final class Handoff<T> implements DumpConsumer<T> {
        private final BlockingQueue<Object> queue;
        private List<T> batch = new ArrayList<>(BATCH);
        volatile boolean cancelled;

        Handoff(BlockingQueue<Object> queue) {
            this.queue = queue;
        }

        @Override
        public void accept(T entry) {
            batch.add(entry);
            if (batch.size() == BATCH) {
                flush();
            }
        }

        @Override
        public void restart() {
            batch = new ArrayList<>(BATCH); // not yet handed over: simply forgotten
            put(RESTART);
        }

        void flush() {
            if (!batch.isEmpty()) {
                put(batch);
                batch = new ArrayList<>(BATCH);
            }
        }

        void put(Object item) {
            try {
                while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    if (cancelled) {
                        throw new Cancelled();
                    }
                }
                if (cancelled) {
                    throw new Cancelled();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancelled();
            }
        }

        void putQuietly(Object item) {
            try {
                put(item);
            } catch (Cancelled c) {
                // nobody is reading any more
            }
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
