package io.ftpnat.scenarios;

import static io.ftpnat.lab.Requirement.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, proxy mode: a proxied session cannot move (its control connection ends in the old
 * master's ftpnatd), but its data connection already open is kernel-forwarded, and its NAT is in its
 * conntrack entry, which conntrackd syncs: the new master has no nft map element for it and needs
 * none (the maps are only read for a connection's first packet).
 *
 * <p>The pair lab of {@link FailoverTest} with both rules in {@code mode: proxy}
 * ({@code scripts/ha-lab/proxy-inflight.sh --virtual-route}): through A, a passive and an active
 * 24 MiB download for the SNAT rule ({@code to: <WAN VIP>}: ftpnatd binds its upstream connections
 * to the VIP) and for the DNAT rule (nothing to bind: the role's {@code ftpnat_ha_virtual_routes}
 * has keepalived install, on the master only, a route to the server with the WAN VIP as preferred
 * source, so the upstream connections use the VIP too); A's links go down mid-transfer. What each
 * side sees: the client every data connection complete, sha256 identical, and its control connection
 * lost (no 226; it times out), as docs/ha.md says; B's conntrack every data connection committed with
 * its server-side leg at the VIP, and B's keepalived the route. Without the route, the DNAT rule's
 * data connections are NATed to A's own address and stop (measured by hand: docs/benchmarks.md).
 * Runs ~40 s (the clients' 20 s control timeout included).
 */
class ProxyFailoverTest {
    static final Pattern CASE = Pattern.compile(
            "^proxy (snat|dnat) (passive|active) inflight data=(complete|incomplete) bytes=(\\d+)/(\\d+) sha=(ok|bad) control=(ok|lost) .*$",
            Pattern.MULTILINE);

    @Test
    void openDataConnectionsOfProxiedSessionsAcrossAHardFailover() throws Exception {
        LabAssumptions.assumeDaemon();
        require(Cmd.onPath("keepalived") && Cmd.onPath("conntrackd"),
                "the router-pair lab needs keepalived and conntrackd: run scripts/install-deps");
        Path out = Files.createTempFile("proxy-failover-", ".txt");
        String tag = "ftpnat-hp-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        try {
            Cmd.Result run = Cmd.run(Duration.ofSeconds(180), ProjectHome.get().resolve("scripts/ha-lab/proxy-inflight.sh").toString(),
                    "--virtual-route", "--out", out.toString(), "--tag", tag);
            String report = Files.readString(out);
            assertThat(run.ok()).as("proxy-inflight.sh\n%s\n%s\n%s", run.err(), run.out(), report).isTrue();
            Map<String, Matcher> cases = CASE.matcher(report).results()
                    .collect(Collectors.toMap(m -> m.group(1) + " " + m.group(2), m -> {
                        Matcher copy = CASE.matcher(m.group());
                        copy.matches();
                        return copy;
                    }));
            assertThat(cases).as(report).containsOnlyKeys("snat passive", "snat active", "dnat passive", "dnat active");

            for (Matcher c : cases.values()) {
                String name = c.group(1) + " " + c.group(2);
                assertThat(c.group(3)).as("%s: the open data connection completed\n%s", name, report).isEqualTo("complete");
                assertThat(c.group(4)).isEqualTo(c.group(5));
                assertThat(c.group(6)).as("%s: sha256", name).isEqualTo("ok");
                assertThat(c.group(7)).as("%s: the control connection cannot move", name).isEqualTo("lost");
            }
            // B committed the data connections; the server talks to the VIP, never to A's own 192.168.10.111
            assertThat(report).as("B's conntrack after the failover\n%s", report)
                    .containsPattern("b conntrack data: .*dst=192\\.168\\.10\\.114")
                    .doesNotContain("192.168.10.111")
                    .contains("# b routes: 192.168.10.115 dev r1 proto keepalived src 192.168.10.114");
        } finally {
            Files.deleteIfExists(out);
            FailoverTest.removeNamespaces(tag);
        }
    }
}
