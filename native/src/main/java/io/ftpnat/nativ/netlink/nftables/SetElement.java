package io.ftpnat.nativ.netlink.nftables;

import io.ftpnat.nativ.netlink.MessageWriter;

/**
 * One element of a named set or map of an {@code inet} table: its key, the map's data (null for a
 * set) and its timeout in milliseconds (0 = none; removals carry none). Names are validated
 * ({@code [a-z0-9_]{1,32}}); keys and data are typed {@link Concat}s.
 */
public record SetElement(String set, Concat key, Concat data, long timeoutMillis) {
    public SetElement {
        NfTables.checkName("set", set);
        if (key == null) {
            throw new IllegalArgumentException("element of " + set + " without a key");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("negative timeout: " + timeoutMillis);
        }
    }

    /** As nft would print it: {@code proxy_dnat4 { 10.10.10.2 . 192.168.10.115 . 40001 timeout 30000ms : 192.168.10.115 . 40001 }}. Never parsed. */
    @Override
    public String toString() {
        return set + " { " + key + (timeoutMillis > 0 ? " timeout " + timeoutMillis + "ms" : "")
                + (data != null ? " : " + data : "") + " }";
    }

    /**
     * Writes the attributes of one NEWSETELEM/DELSETELEM/DESTROYSETELEM message for this element
     * (after its nfgenmsg), in nft 1.0.6's order: table, set, then the element list with one
     * element (timeout, key, data). nft also sends NFTA_SET_ELEM_LIST_SET_ID, the id of a set
     * created in the same batch; the kernel finds ours by name, so it is left out.
     */
    void writeMessage(MessageWriter w, String table, ElementOp op) {
        w.string(NfTables.NFTA_SET_ELEM_LIST_TABLE, table);
        w.string(NfTables.NFTA_SET_ELEM_LIST_SET, set);
        int elements = w.nest(NfTables.NFTA_SET_ELEM_LIST_ELEMENTS);
        int element = w.nest(NfTables.NFTA_LIST_ELEM);
        if (op.sendsValue() && timeoutMillis > 0) {
            w.be64(NfTables.NFTA_SET_ELEM_TIMEOUT, timeoutMillis);
        }
        value(w, NfTables.NFTA_SET_ELEM_KEY, key);
        if (op.sendsValue() && data != null) {
            value(w, NfTables.NFTA_SET_ELEM_DATA, data);
        }
        w.end(element);
        w.end(elements);
    }

    private static void value(MessageWriter w, int type, Concat value) {
        int nest = w.nest(type);
        w.bytes(NfTables.NFTA_DATA_VALUE, value.bytes());
        w.end(nest);
    }
}
