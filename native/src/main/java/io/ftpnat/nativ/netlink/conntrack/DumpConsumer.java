package io.ftpnat.nativ.netlink.conntrack;

/**
 * Receives a dump one entry at a time, straight from the receive buffer's decode (no list is
 * built). If the kernel flags the dump as interrupted (NLM_F_DUMP_INTR) the dump is repeated and
 * {@link #restart()} is called first: forget what you received so far.
 */
@FunctionalInterface
public interface DumpConsumer<T> {
    void accept(T entry);

    default void restart() {
    }
}
