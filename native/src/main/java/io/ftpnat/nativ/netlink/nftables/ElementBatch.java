package io.ftpnat.nativ.netlink.nftables;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Element operations on one {@code inet} table that {@link NftElements#apply} sends as one
 * nf_tables transaction: the kernel applies all of them or none. At most
 * {@link #MAX_OPERATIONS} operations (one netlink datagram); split larger work into several
 * batches. Every element added carries a timeout, so nothing the daemon adds outlives it for ever.
 *
 * <pre>{@code
 * ElementBatch b = ElementBatch.forTable("ftpnat")
 *     .addMapElement("proxy_dnat4", Concat.of(client, server, port), Concat.of(target, targetPort), Duration.ofSeconds(30))
 *     .addMapElement("proxy_snat4", Concat.of(client, target, targetPort), Concat.of(snatAddress), Duration.ofSeconds(30));
 * elements.apply(b);
 * }</pre>
 */
public final class ElementBatch {
    public static final int MAX_OPERATIONS = 32;

    /** One operation of the batch. */
    public record Operation(ElementOp op, SetElement element) {
        @Override
        public String toString() {
            return op.verb() + " element " + element;
        }
    }

    private final String table;
    private final List<Operation> operations = new ArrayList<>();

    private ElementBatch(String table) {
        this.table = NfTables.checkName("table", table);
    }

    /** A batch for {@code table inet NAME}. */
    public static ElementBatch forTable(String table) {
        return new ElementBatch(table);
    }

    public String table() {
        return table;
    }

    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    public int size() {
        return operations.size();
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    /** Empties the batch, to reuse it. */
    public ElementBatch clear() {
        operations.clear();
        return this;
    }

    /** Adds (or refreshes, when identical) an element of a set: {@code nft add element}. */
    public ElementBatch addSetElement(String set, Concat key, Duration timeout) {
        return add(ElementOp.ADD, new SetElement(set, key, null, millis(timeout)));
    }

    /** Adds (or refreshes, when identical) an element of a map; an element with the same key and other data is EEXIST. */
    public ElementBatch addMapElement(String map, Concat key, Concat data, Duration timeout) {
        return add(ElementOp.ADD, new SetElement(map, key, requireData(data), millis(timeout)));
    }

    /** Adds an element of a map that must not exist yet (EEXIST otherwise): {@code nft create element}. */
    public ElementBatch createMapElement(String map, Concat key, Concat data, Duration timeout) {
        return add(ElementOp.CREATE, new SetElement(map, key, requireData(data), millis(timeout)));
    }

    /** Adds an element of a set that must not exist yet (EEXIST otherwise). */
    public ElementBatch createSetElement(String set, Concat key, Duration timeout) {
        return add(ElementOp.CREATE, new SetElement(set, key, null, millis(timeout)));
    }

    /** Deletes the element with this key from a set or map; ENOENT (and no change at all) when it is missing or expired. */
    public ElementBatch deleteElement(String set, Concat key) {
        return add(ElementOp.DELETE, new SetElement(set, key, null, 0));
    }

    /**
     * Withdraws the element with this key from a set or map, whether it is there, expired or
     * already gone (DESTROYSETELEM, kernel 6.3+; an older kernel refuses the batch with EINVAL or
     * EOPNOTSUPP). A missing table or set is still ENOENT.
     */
    public ElementBatch destroyElement(String set, Concat key) {
        return add(ElementOp.DESTROY, new SetElement(set, key, null, 0));
    }

    private ElementBatch add(ElementOp op, SetElement element) {
        if (operations.size() == MAX_OPERATIONS) {
            throw new IllegalStateException("an element batch holds at most " + MAX_OPERATIONS + " operations");
        }
        operations.add(new Operation(op, element));
        return this;
    }

    private static Concat requireData(Concat data) {
        if (data == null) {
            throw new IllegalArgumentException("a map element needs data");
        }
        return data;
    }

    private static long millis(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("an added element needs a timeout of at least 1 ms: " + timeout);
        }
        return timeout.toMillis();
    }

    /** {@code add element inet ftpnat proxy_dnat4 { … }}, for messages. */
    String describe(int index) {
        Operation o = operations.get(index);
        return o.op().verb() + " element inet " + table + " " + o.element();
    }

    @Override
    public String toString() {
        return "element batch on inet " + table + " (" + operations.size() + " operations)";
    }
}
