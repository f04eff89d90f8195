package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A listing's dump runs on a dump thread while the API's thread writes: what the writer sees must
 * be exactly what an inline dump gives, in order, restarts included; a failure on either side
 * stops the other.
 */
class PipelinedDumpTest {
    final PipelinedDump pipeline = new PipelinedDump();

    @AfterEach
    void close() {
        pipeline.close();
    }

    /** The kernel's dump, played by a list (and a restart after {@code restartAfter} entries, once). */
    static PipelinedDump.Source<Integer> table(int n, int restartAfter) {
        return consumer -> {
            if (restartAfter >= 0) {
                for (int i = 0; i < restartAfter; i++) {
                    consumer.accept(-i);
                }
                consumer.restart();
            }
            for (int i = 0; i < n; i++) {
                consumer.accept(i);
            }
            return n;
        };
    }

    @Test
    void theWriterSeesEveryEntryInOrderOnItsOwnThread() throws Exception {
        List<Integer> seen = new ArrayList<>();
        Thread writer = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        long count = pipeline.run(table(10_000, -1), e -> {
            seen.add(e);
            threads.add(Thread.currentThread());
        });
        assertThat(count).isEqualTo(10_000);
        assertThat(seen).hasSize(10_000).isSorted();
        assertThat(threads).containsOnly(writer);
    }

    @Test
    void anInterruptedDumpsRestartReachesTheWriterBeforeTheEntriesThatFollowIt() throws Exception {
        List<Integer> seen = new ArrayList<>();
        pipeline.run(table(1000, 700), new DumpConsumer<>() {
            @Override
            public void accept(Integer e) {
                seen.add(e);
            }

            @Override
            public void restart() {
                seen.clear();
            }
        });
        assertThat(seen).hasSize(1000).isSorted().startsWith(0);
    }

    @Test
    void aKernelErrorReachesTheWriter() {
        PipelinedDump.Source<Integer> failing = consumer -> {
            consumer.accept(1);
            throw new NetlinkException("dump conntrack", 105);
        };
        assertThatThrownBy(() -> pipeline.run(failing, e -> { })).isInstanceOf(NetlinkException.class).hasMessageContaining("dump conntrack");
    }

    @Test
    void aWriterThatStopsStopsTheDump() throws Exception {
        CountDownLatch dumpEnded = new CountDownLatch(1);
        int[] produced = new int[1];
        PipelinedDump.Source<Integer> endless = consumer -> {
            try {
                for (int i = 0; i < 10_000_000; i++) {
                    consumer.accept(i);
                    produced[0] = i;
                }
                return 10_000_000;
            } finally {
                dumpEnded.countDown();
            }
        };
        assertThatThrownBy(() -> pipeline.run(endless, e -> {
            if (e == 10) {
                throw new IllegalStateException("client gone");
            }
        })).hasMessage("client gone");
        assertThat(dumpEnded.await(10, TimeUnit.SECONDS)).as("the dump thread gave up").isTrue();
        assertThat(produced[0]).as("bounded by the queue, not the table").isLessThan(PipelinedDump.BATCH * (PipelinedDump.QUEUED + 4));
    }

    @Test
    void moreDumpsThanThreadsRunOnTheirCallersThread() throws Exception {
        CountDownLatch inside = new CountDownLatch(PipelinedDump.THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < PipelinedDump.THREADS; i++) {
            Thread t = new Thread(() -> {
                try {
                    pipeline.run(consumer -> {
                        inside.countDown();
                        try {
                            go.await();
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                        }
                        return 0;
                    }, e -> { });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            writers.add(t);
        }
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        pipeline.run(consumer -> {
            ranOn[0] = Thread.currentThread();
            return 0;
        }, e -> { });
        assertThat(ranOn[0]).as("every dump thread busy: inline").isSameAs(caller);
        go.countDown();
        for (Thread t : writers) {
            t.join(10_000);
        }
    }
}
