package io.ftpnat.nativ.netlink.nftables;

/**
 * nf_tables netlink constants (linux/netfilter/nf_tables.h, nfnetlink.h), only those the element
 * writer sends. Package-private: the public API speaks of sets, maps and elements.
 */
final class NfTables {
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFPROTO_INET = 1;

    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_DELSETELEM = 14;
    /** Like DELSETELEM, but a missing (or expired) element is not an error; kernel 6.3 and later. */
    static final int NFT_MSG_DESTROYSETELEM = 30;

    // enum nft_set_elem_list_attributes
    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    // enum nft_list_attributes
    static final int NFTA_LIST_ELEM = 1;
    // enum nft_set_elem_attributes
    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_DATA = 2;
    static final int NFTA_SET_ELEM_TIMEOUT = 4;
    // enum nft_data_attributes
    static final int NFTA_DATA_VALUE = 1;

    /** NFT_DATA_VALUE_MAXLEN: the longest key or data value (16 32-bit registers). */
    static final int DATA_VALUE_MAXLEN = 64;
    /** NFT_NAME_MAXLEN - 1: table and set names are at most 255 bytes; ours are at most 32. */
    static final int NAME_MAXLEN = 32;

    private NfTables() {
    }

    static String checkName(String what, String name) {
        if (name == null || !name.matches("[a-z0-9_]{1," + NAME_MAXLEN + "}")) {
            throw new IllegalArgumentException(what + " name must match [a-z0-9_]{1," + NAME_MAXLEN + "}: " + name);
        }
        return name;
    }
}
