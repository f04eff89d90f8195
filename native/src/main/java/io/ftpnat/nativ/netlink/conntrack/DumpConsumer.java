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

    /** Collects every entry into {@code list}, starting over when the dump restarts. */
    static <T> DumpConsumer<T> into(java.util.List<T> list) {
        return new DumpConsumer<>() {
            @Override
            public void accept(T entry) {
                list.add(entry);
            }

            @Override
            public void restart() {
                list.clear();
            }
        };
    }
}
