package io.ftpnat.lab;

import java.time.Duration;
import java.util.List;

/**
 * The router's kernel state as the reference tools show it ({@code nft}, {@code conntrack}), always
 * read inside the router namespace. These are the oracles the scenario suites compare with.
 */
public final class RouterState {
    private final Namespace router;

    public RouterState(Namespace router) { this.router = router; }

    public String nftRuleset() { return router.run("nft", "list", "ruleset"); }

    /**
     * {@code nft -s list table inet ftpnat} (stateless: without counters, so two listings compare
     * equal when the rules are the same), or null when the table does not exist.
     */
    public String ftpnatTable() {
        Cmd.Result r = router.exec("nft", "-s", "list", "table", "inet", "ftpnat");
        return r.ok() ? r.out() : null;
    }

    /** The conntrack table (IPv4 and IPv6), one entry per line as conntrack -L prints it. */
    public List<ConntrackEntry> conntrack() {
        return parse(router.exec(Duration.ofSeconds(10), "conntrack", "-L", "-f", "ipv4"))
                .andThen(parse(router.exec(Duration.ofSeconds(10), "conntrack", "-L", "-f", "ipv6")));
    }

    /** The expectation table as {@code conntrack -L expect} prints it. */
    public List<String> expectations() {
        Cmd.Result v4 = router.exec(Duration.ofSeconds(10), "conntrack", "-L", "expect", "-f", "ipv4");
        Cmd.Result v6 = router.exec(Duration.ofSeconds(10), "conntrack", "-L", "expect", "-f", "ipv6");
        return java.util.stream.Stream.concat(v4.out().lines(), v6.out().lines()).filter(l -> !l.isBlank()).toList();
    }

    /** Removes every conntrack entry in the router namespace (between scenarios). */
    public void flushConntrack() {
        router.exec(Duration.ofSeconds(10), "conntrack", "-F");
        router.exec(Duration.ofSeconds(10), "conntrack", "-F", "expect");
    }

    private static Entries parse(Cmd.Result r) {
        return new Entries(r.out().lines().filter(l -> !l.isBlank() && !l.startsWith("conntrack v"))
                .map(ConntrackEntry::parse).toList());
    }

    private record Entries(List<ConntrackEntry> list) {
        List<ConntrackEntry> andThen(Entries more) {
            return java.util.stream.Stream.concat(list.stream(), more.list.stream()).toList();
        }
    }

    /** Starts {@code conntrack -E expect} in the router: a log of expectations as they come and go. */
    public BackgroundProcess watchExpectations(java.nio.file.Path log) {
        BackgroundProcess p = router.start("conntrack -E expect", log, "conntrack", "-E", "expect", "-o", "timestamp");
        BackgroundProcess.sleep(200); // let it subscribe before the traffic it should see
        return p;
    }
}
