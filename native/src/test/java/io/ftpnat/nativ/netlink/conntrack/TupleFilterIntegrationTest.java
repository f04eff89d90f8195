package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * A filtered list is filtered by the kernel: 300 entries (conntrack -R, sources 11.0.0.0+i to
 * 192.0.2.10:21, as the benchmarks load them), and a dump for one source sends one entry.
 */
class TupleFilterIntegrationTest {
    @Test
    void theKernelSendsOnlyTheMatchingEntries() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("ctfilter");
            Path entries = Files.createTempFile("ctfilter", ".txt");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                sb.append("-I -s 11.0.").append(i / 256).append('.').append(i % 256)
                        .append(" -d 192.0.2.10 -p tcp --sport 40000 --dport 21 --state ESTABLISHED -t 3000 -u SEEN_REPLY,ASSURED\n");
            }
            Files.writeString(entries, sb);
            NetnsLab.exec(ns, "conntrack", "-R", entries.toString());
            Files.delete(entries);
            try (NetworkNamespace netns = NetworkNamespace.enter(ns); ConntrackClient client = ConntrackClient.open(netns)) {
                TupleFilter one = new TupleFilter(Tuple.TCP, IpAddress.parse("11.0.0.7"), null, -1, 21);
                // what the kernel sends for the raw request
                var conn = client.connection();
                var w = conn.request(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, Cta.IPCTNL_MSG_CT_GET), 0, 2, 0);
                assertThat(one.encode(w, 2)).isTrue();
                int[] sent = {0};
                conn.dump("raw CTA_FILTER dump", (b, type, flags, payload, end) -> sent[0]++);
                assertThat(sent[0]).as("entries the kernel sent").isEqualTo(1);

                List<Conntrack> got = new ArrayList<>();
                client.dump(ConntrackFilter.all().ipv4().original(one), got::add);
                assertThat(got).singleElement().satisfies(c -> assertThat(c.original().src()).isEqualTo(IpAddress.parse("11.0.0.7")));
                // by destination and port: all 300; by a port nobody uses: none; without a family: our side filters
                assertThat(client.dump(ConntrackFilter.all().ipv4().original(
                        new TupleFilter(Tuple.TCP, null, IpAddress.parse("192.0.2.10"), 40000, 21)), DumpConsumer.into(new ArrayList<>())))
                        .isEqualTo(300);
                assertThat(client.dump(ConntrackFilter.all().ipv4().original(new TupleFilter(Tuple.TCP, null, null, -1, 22)),
                        DumpConsumer.into(new ArrayList<>()))).isZero();
                assertThat(client.dump(ConntrackFilter.all().original(one), DumpConsumer.into(new ArrayList<>()))).isEqualTo(1);
                assertThat(client.dump(ConntrackFilter.all().ipv6().original(
                        new TupleFilter(-1, IpAddress.parse("fd00::1"), null, -1, -1)), DumpConsumer.into(new ArrayList<>()))).isZero();
            }
        }
    }
}
