package io.ftpnat.lab;

/**
 * The router's own firewall, separate from ftpnat's table, as an operator would have it: a stateful
 * forward policy that drops everything new except control connections to the FTP ports and
 * connections the router's DNAT published. A data connection is forwarded only if conntrack
 * knows it as RELATED to a control connection, that is, only if a helper read the control
 * channel and expected it. That makes "no helper" visible: the data connection is dropped.
 */
public final class LabFirewall {
    private LabFirewall() {}

    public static final String TABLE = "labfw";

    public static String ruleset(int... controlPorts) {
        StringBuilder ports = new StringBuilder();
        for (int p : controlPorts) ports.append(ports.length() == 0 ? "" : ", ").append(p);
        return """
                table inet labfw {
                  chain forward {
                    type filter hook forward priority filter; policy drop;
                    ct state established,related accept
                    meta l4proto { icmp, ipv6-icmp } accept
                    ct state new tcp dport { %s } accept
                    ct status dnat accept
                    counter drop comment "labfw-drop"
                  }
                }
                """.formatted(ports);
    }

    /** Installs (or replaces) the firewall in the router namespace, as one nft transaction. */
    public static void install(Namespace router, int... controlPorts) {
        String text = "table inet labfw\ndelete table inet labfw\n" + ruleset(controlPorts);
        Cmd.runWithInput(Cmd.DEFAULT_TIMEOUT, text, Cmd.prefixNs(router.name(), "nft", "-f", "-")).check();
    }

    /**
     * Adds the router's own general-purpose NAT (masquerade everything from the inside network
     * leaving through r1), as a real router has it beside ftpnat, which NATs only FTP control
     * flows. Its chain runs after ftpnat's (srcnat + 10), so where ftpnat's rules match, theirs
     * decide. With it, a flow that no ftpnat rule names is NATed but gets no helper: the classic
     * "FTP broken behind NAT".
     */
    public static void installRouterNat(Namespace router) {
        String text = """
                table inet labfw {
                  chain postrouting_nat {
                    type nat hook postrouting priority srcnat + 10; policy accept;
                    oifname "r1" ip saddr 10.10.10.0/24 masquerade
                    oifname "r1" ip6 saddr fd00:10::/64 masquerade
                  }
                }
                """;
        Cmd.runWithInput(Cmd.DEFAULT_TIMEOUT, text, Cmd.prefixNs(router.name(), "nft", "-f", "-")).check();
    }

    /** How many packets the firewall's final drop rule has dropped (its counter). */
    public static long dropped(Namespace router) {
        String out = router.run("nft", "list", "chain", "inet", TABLE, "forward");
        var m = java.util.regex.Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"labfw-drop").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
