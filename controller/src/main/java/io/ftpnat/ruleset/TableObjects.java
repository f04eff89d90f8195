package io.ftpnat.ruleset;

import java.util.Map;

/**
 * The names of the objects in ftpnat's table that the daemon fills at run time. The template gets
 * them from here (the renderer puts them into its model), and so does every writer of elements:
 * a name exists once.
 */
public final class TableObjects {
    /** Data connections of the userspace ALG: DNAT by (source . destination . port). */
    public static final String PROXY_DNAT4 = "proxy_dnat4";
    public static final String PROXY_DNAT6 = "proxy_dnat6";
    /** Their source translation, keyed as the packet looks after the DNAT. */
    public static final String PROXY_SNAT4 = "proxy_snat4";
    public static final String PROXY_SNAT6 = "proxy_snat6";
    /** (client . address . port) a repaired 227 advertised: a SYN there is copied to the daemon. */
    public static final String ADVERTISED4 = "advertised4";
    public static final String ADVERTISED6 = "advertised6";
    /** The NFLOG prefix of those SYNs' copies: the observer tells them from control segments by it. */
    public static final String SYN_LOG_PREFIX = "ftpnat-syn";
    /** The chain whose one rule (appended by ftpnatd after every apply) queues a segment to hold. */
    public static final String HOLD_QUEUE = "hold_queue";
    /** Elements each advertised set holds at most (one per session that has a repaired 227 watched). */
    public static final int ADVERTISED_SIZE = 4096;

    private TableObjects() {
    }

    /** The template's view: {{objects.proxyDnat4}} and so on. */
    static Map<String, String> forTemplate() {
        return Map.of("proxyDnat4", PROXY_DNAT4, "proxyDnat6", PROXY_DNAT6, "proxySnat4", PROXY_SNAT4, "proxySnat6", PROXY_SNAT6,
                "advertised4", ADVERTISED4, "advertised6", ADVERTISED6, "advertisedSize", Integer.toString(ADVERTISED_SIZE), "synLogPrefix", SYN_LOG_PREFIX,
                "holdQueue", HOLD_QUEUE);
    }
}
