package io.ftpnat.nativ.netlink.nftables;

import io.ftpnat.nativ.netlink.Netlink;

/** What a batch does with one element, and the nf_tables message (type and flags) that says it, as nft 1.0.6 sends it. */
public enum ElementOp {
    /** {@code nft add element}: NEWSETELEM with NLM_F_CREATE; an identical existing element is no error. */
    ADD("add", NfTables.NFT_MSG_NEWSETELEM, Netlink.NLM_F_CREATE),
    /** {@code nft create element}: NEWSETELEM with NLM_F_CREATE|NLM_F_EXCL; an existing element is EEXIST. */
    CREATE("create", NfTables.NFT_MSG_NEWSETELEM, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL),
    /** {@code nft delete element}: DELSETELEM; a missing or expired element is ENOENT. */
    DELETE("delete", NfTables.NFT_MSG_DELSETELEM, 0),
    /**
     * {@code nft destroy element} (nft 1.0.8+, kernel 6.3+): DESTROYSETELEM, a delete for which a
     * missing or already expired element is no error (a missing table or set still is ENOENT).
     */
    DESTROY("destroy", NfTables.NFT_MSG_DESTROYSETELEM, 0);

    private final String verb;
    private final int message;
    private final int flags;

    ElementOp(String verb, int message, int flags) {
        this.verb = verb;
        this.message = message;
        this.flags = flags;
    }

    /** nft's verb, for messages. */
    public String verb() {
        return verb;
    }

    int message() {
        return message;
    }

    int flags() {
        return flags;
    }

    /** Whether the element's timeout and data travel with the key (additions); removals send the key alone, as nft does. */
    boolean sendsValue() {
        return message == NfTables.NFT_MSG_NEWSETELEM;
    }
}
