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
 * ({@code scripts/ha-lab/proxy-inflight.sh}): through A, a passive and an active 24 MiB download
 * for the SNAT rule ({@code to: <WAN VIP>}, so ftpnatd binds its upstream connections to the VIP)
 * and for the DNAT rule (no address to bind: the server sees A's own address); A's links go down
 * mid-transfer. What the client sees:
 * <ul>
 *   <li>SNAT: both data connections complete, sha256 identical; the control connection is lost
 *       (no 226; the client times out), as docs/ha.md says;</li>
 *   <li>DNAT: the data connections stop. B committed them (their entries are there, NAT and all),
 *       but their server-side address is A's own 192.168.10.111, which left with A: the server's
 *       segments have nowhere to go. The documented limit (docs/ha.md, {@code sessions}' failover note).</li>
 * </ul>
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
                    "--out", out.toString(), "--tag", tag);
            String report = Files.readString(out);
            assertThat(run.ok()).as("proxy-inflight.sh\n%s\n%s\n%s", run.err(), run.out(), report).isTrue();
            Map<String, Matcher> cases = CASE.matcher(report).results()
                    .collect(Collectors.toMap(m -> m.group(1) + " " + m.group(2), m -> {
                        Matcher copy = CASE.matcher(m.group());
                        copy.matches();
                        return copy;
                    }));
            assertThat(cases).as(report).containsOnlyKeys("snat passive", "snat active", "dnat passive", "dnat active");

            for (String mode : new String[] {"passive", "active"}) {
                Matcher snat = cases.get("snat " + mode);
                assertThat(snat.group(3)).as("snat %s: the open data connection completed\n%s", mode, report).isEqualTo("complete");
                assertThat(snat.group(4)).isEqualTo(snat.group(5));
                assertThat(snat.group(6)).as("sha256").isEqualTo("ok");
                assertThat(snat.group(7)).as("the control connection cannot move").isEqualTo("lost");

                Matcher dnat = cases.get("dnat " + mode);
                assertThat(dnat.group(3)).as("dnat %s: the documented limit (docs/ha.md)\n%s", mode, report).isEqualTo("incomplete");
                assertThat(dnat.group(7)).isEqualTo("lost");
            }
            // B committed the DNAT rule's data connections too: with the server-side leg at A's own address
            assertThat(report).as("B's conntrack after the failover\n%s", report)
                    .containsPattern("src=192\\.168\\.10\\.115 dst=192\\.168\\.10\\.111 sport=\\d+ dport=\\d+ \\[ASSURED\\]")
                    .containsPattern("dst=192\\.168\\.10\\.114 sport=\\d+ dport=\\d+ \\[ASSURED\\]");
        } finally {
            Files.deleteIfExists(out);
            FailoverTest.removeNamespaces(tag);
        }
    }
}
