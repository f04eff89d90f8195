package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nftables.Concat;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.nativ.netlink.nftables.ElementOp;
import io.ftpnat.nativ.netlink.nftables.NftElements;
import io.ftpnat.ruleset.NftWords;
import io.ftpnat.ruleset.Ruleset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The daemon's one writer of run-time set and map elements into its table (data channels, watched
 * addresses), and the ledger of what it wrote. One nf_tables netlink socket, opened on first use in
 * the daemon's namespace, shared by the threads that call it (calls are serialised; each is a few
 * microseconds). A socket that failed is closed and opened again on the next call.
 *
 * <p>Why a ledger: an apply replaces the whole table, sets and maps included. The ruleset writer
 * ({@link NftablesKernelRuleset}) holds this object's lock while it renders the ledger's live
 * elements (typed values, with what is left of their timeouts) into the same libnftables buffer
 * as the table, so the new table is born with them, in the same transaction: no element is ever
 * missing, and none can be written in between. A failed apply changes nothing, ledger included.
 */
public final class NetlinkElements implements AutoCloseable {
    /** Elements the ledger holds at most: the sets' sizes and the ALG's session limit bound it far below. */
    public static final int MAX_ELEMENTS = 65_536;

    /** The socket side, replaceable in tests. */
    public interface Writer extends AutoCloseable {
        void apply(ElementBatch batch) throws NetlinkException;

        /** The socket's netlink port id (0: not a socket). */
        default int portId() {
            return 0;
        }

        @Override
        void close();
    }

    private record Key(String set, Concat key) {
    }

    private record Entry(Concat data, long timeoutMillis, long deadlineNanos) {
    }

    private final WriterFactory factory;
    private final LongSupplier nanos;
    private final OwnWriters own;
    private final Map<Key, Entry> ledger = new LinkedHashMap<>();
    private Writer writer;

    @FunctionalInterface
    public interface WriterFactory {
        Writer open() throws NetlinkException;
    }

    /** The daemon's: the table watch does not hear of the elements this socket writes. */
    NetlinkElements(OwnWriters own) {
        this(NetlinkElements::openSocket, System::nanoTime, own);
    }

    public NetlinkElements(WriterFactory factory, LongSupplier nanos) {
        this(factory, nanos, new OwnWriters("elements"));
    }

    private NetlinkElements(WriterFactory factory, LongSupplier nanos, OwnWriters own) {
        this.factory = factory;
        this.nanos = nanos;
        this.own = own;
    }

    private static Writer openSocket() throws NetlinkException {
        NftElements socket = NftElements.open();
        return new Writer() {
            @Override
            public void apply(ElementBatch batch) throws NetlinkException {
                socket.apply(batch);
            }

            @Override
            public int portId() {
                return socket.portId();
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    /** Applies {@code batch} as one transaction; all of it or none; the ledger follows what the kernel took. */
    public synchronized void apply(ElementBatch batch) throws NetlinkException {
        purgeExpired();
        long adds = batch.operations().stream().filter(NetlinkElements::adds).count();
        if (ledger.size() + adds > MAX_ELEMENTS) {
            throw new NetlinkException("add element", "the daemon holds " + MAX_ELEMENTS + " run-time elements already");
        }
        if (writer == null) {
            writer = factory.open();
            own.opened(writer.portId());
        }
        try {
            writer.apply(batch);
        } catch (NetlinkException e) {
            if (e.errno() == 0) { // no reply, or a reply we could not read: start afresh
                closeWriter();
            }
            throw e;
        }
        long now = nanos.getAsLong();
        for (ElementBatch.Operation o : batch.operations()) {
            Key k = new Key(o.element().set(), o.element().key());
            if (adds(o)) {
                long t = o.element().timeoutMillis();
                ledger.put(k, new Entry(o.element().data(), t, t == 0 ? Long.MAX_VALUE : now + t * 1_000_000));
            } else {
                ledger.remove(k);
            }
        }
    }

    /**
     * The live elements as libnftables commands on {@code next}'s table, for the sets and maps
     * {@code next} declares, each with what is left of its timeout. Text made only of typed values
     * (addresses and ports as {@link Concat} prints them), checked by {@link NftWords} all the same.
     * The caller holds this object's lock until the apply is done.
     */
    synchronized String render(Ruleset next) {
        purgeExpired();
        long now = nanos.getAsLong();
        StringBuilder out = new StringBuilder();
        ledger.forEach((k, e) -> {
            if (!next.declares(k.set())) {
                return;
            }
            out.append("add element inet ").append(NftWords.table(next.table())).append(' ').append(NftWords.table(k.set()))
                    .append(" { ").append(NftWords.words(k.key().toString()));
            if (e.timeoutMillis() > 0) {
                out.append(" timeout ").append(Math.max(1, (e.deadlineNanos() - now) / 1_000_000)).append("ms");
            }
            if (e.data() != null) {
                out.append(" : ").append(NftWords.words(e.data().toString()));
            }
            out.append(" }\n");
        });
        return out.toString();
    }

    /** {@code next} is in force: elements of sets it does not declare went with the old table. */
    synchronized void committed(Ruleset next) {
        ledger.keySet().removeIf(k -> !next.declares(k.set()));
    }

    /** The table was removed, elements and all. */
    synchronized void cleared() {
        ledger.clear();
    }

    /** How many live elements the ledger holds (metrics, tests). */
    public synchronized int size() {
        purgeExpired();
        return ledger.size();
    }

    private static boolean adds(ElementBatch.Operation o) {
        return o.op() == ElementOp.ADD || o.op() == ElementOp.CREATE;
    }

    private void purgeExpired() {
        long now = nanos.getAsLong();
        for (Iterator<Entry> i = ledger.values().iterator(); i.hasNext(); ) {
            if (i.next().deadlineNanos() - now <= 0) {
                i.remove();
            }
        }
    }

    private void closeWriter() {
        if (writer != null) {
            own.closing(writer.portId());
            writer.close();
            writer = null;
        }
    }

    @Override
    public synchronized void close() {
        closeWriter();
    }
}
