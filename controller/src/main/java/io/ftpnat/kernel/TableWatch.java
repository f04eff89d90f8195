package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nftables.TableEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that listens to nf_tables' notifications and says when the daemon's table was deleted
 * by a transaction that did not define it again ({@link TableEvents}): "nft flush ruleset", a start,
 * restart or stop of nftables.service, or "nft delete table inet ftpnat" by hand.
 * The handler runs on this thread.
 */
public final class TableWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TableWatch.class);
    /** How long one receive waits: the bound on how late {@link #close()} is noticed. */
    static final int POLL_MILLIS = 500;

    /** What the daemon does about it. */
    public interface Handler {
        /** The table is gone; {@code by} names the process whose transaction removed it. */
        void gone(String by);

        /** Notifications were lost: the table may be gone; check. */
        void maybeGone();
    }

    private final TableEvents events;
    private final Thread thread;
    private volatile boolean closed;
    private final OwnWriters own;
    private final OwnWriters.Listener ignore;

    private TableWatch(TableEvents events, Handler handler, OwnWriters own) {
        this.events = events;
        this.own = own;
        this.ignore = events::ignoreSenders;
        this.thread = new Thread(() -> loop(handler), "nft-table-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Subscribes in this process's network namespace (before the first apply, so nothing is missed)
     * and starts the thread. What {@code own} writes (the daemon's run-time elements) is dropped
     * by the socket's filter: those transactions never delete a table.
     */
    static TableWatch start(String table, Handler handler, OwnWriters own) throws NetlinkException {
        TableWatch w = new TableWatch(TableEvents.inet(table), handler, own);
        own.listen(w.ignore);
        w.thread.start();
        return w;
    }

    private void loop(Handler handler) {
        TableEvents.Listener listener = new TableEvents.Listener() {
            @Override
            public void tableDeleted(String by) {
                handler.gone(by);
            }

            @Override
            public void lost() {
                handler.maybeGone();
            }
        };
        while (!closed) {
            try {
                events.poll(POLL_MILLIS, listener);
            } catch (NetlinkException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // a decoding problem in one datagram: check the table rather than trust the stream
                log.warn("nf_tables notifications: {}; checking the table", e.getMessage());
                handler.maybeGone();
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        own.unlisten(ignore);
        try {
            thread.join(2 * POLL_MILLIS + 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }
}
