package io.ftpnat.nativ.netlink.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nf_tables notifications from the real kernel, in a namespace: which transactions leave table
 * {@code inet ftpnat} deleted. nf_tables multicasts a transaction's notifications while it commits,
 * before {@code nft} exits, so after each command everything is already queued on our socket: the
 * test drains it without waiting.
 */
class TableEventsIntegrationTest {
    static final String SWAP = "table inet ftpnat\ndelete table inet ftpnat\ntable inet ftpnat { chain c { type filter hook forward priority 0; }; }\n";

    @Test
    void onlyATransactionThatLeavesTheTableDeletedIsReported() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("tabev");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 TableEvents events = TableEvents.inet(netns.openNetlink(io.ftpnat.nativ.netlink.KernelTransport.NETLINK_NETFILTER), "ftpnat")) {
                List<String> seen = new ArrayList<>();
                // ftpnatd's own apply: the table is deleted and defined again in one transaction
                nft(ns, SWAP);
                assertThat(drain(events, seen)).as("the swap notified something").isPositive();
                nft(ns, SWAP);
                drain(events, seen);
                // another table comes and goes
                nft(ns, "table inet filter { chain c { type filter hook input priority 0; }; }\n");
                nft(ns, "delete table inet filter\n");
                drain(events, seen);
                assertThat(seen).as("nothing left the table deleted yet").isEmpty();
                // nftables.service's start: "flush ruleset" and its own tables, one transaction
                nft(ns, "flush ruleset\ntable inet filter { chain c { type filter hook input priority 0; }; }\n");
                drain(events, seen);
                assertThat(seen).hasSize(1);
                assertThat(seen.get(0)).as("the process that did it").matches("deleted by pid \\d+ \\(nft\\)");
                // defined again, then deleted by hand
                nft(ns, SWAP);
                nft(ns, "delete table inet ftpnat\n");
                drain(events, seen);
                assertThat(seen).hasSize(2);
            }
        }
    }

    /**
     * ftpnatd's element writer adds watched addresses while its table watch listens: with the
     * writer's port id ignored, its transactions never reach the watch (nothing to wake for),
     * another process's element is still heard, and so is a delete of the table.
     */
    @Test
    void theDaemonsOwnElementWritesDoNotReachItsWatchButADeleteDoes() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("tabown");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 TableEvents events = TableEvents.inet(netns.openNetlink(io.ftpnat.nativ.netlink.KernelTransport.NETLINK_NETFILTER), "ftpnat");
                 NftElements writer = NftElements.open(netns)) {
                nft(ns, "table inet ftpnat { set watched { type ipv4_addr; flags timeout; }; }\n");
                List<String> seen = new ArrayList<>();
                drain(events, seen);
                ElementBatch add = ElementBatch.forTable("ftpnat")
                        .addSetElement("watched", Concat.of(io.ftpnat.nativ.netlink.conntrack.IpAddress.parse("198.51.100.9")), java.time.Duration.ofSeconds(30));
                writer.apply(add);
                assertThat(drain(events, seen)).as("the writer's transaction, unfiltered").isPositive();

                assertThat(events.ignoreSenders(writer.portId())).as("the kernel took the program").isTrue();
                writer.apply(ElementBatch.forTable("ftpnat")
                        .addSetElement("watched", Concat.of(io.ftpnat.nativ.netlink.conntrack.IpAddress.parse("198.51.100.10")), java.time.Duration.ofSeconds(30)));
                assertThat(drain(events, seen)).as("the writer's own transaction, filtered").isZero();
                nft(ns, "add element inet ftpnat watched { 198.51.100.11 timeout 30s }\n");
                assertThat(drain(events, seen)).as("another process's element").isPositive();
                nft(ns, "delete table inet ftpnat\n");
                drain(events, seen);
                assertThat(seen).as("the delete is still heard").hasSize(1);

                assertThat(events.ignoreSenders()).isTrue(); // nothing ignored any more
                nft(ns, "table inet ftpnat { set watched { type ipv4_addr; flags timeout; }; }\n");
                drain(events, seen);
                writer.apply(add);
                assertThat(drain(events, seen)).as("heard again once no longer ignored").isPositive();
            }
        }
    }

    private static void nft(String ns, String script) throws Exception {
        Path f = Files.createTempFile("tabev", ".nft");
        try {
            Files.writeString(f, script);
            NetnsLab.exec(ns, "nft", "-f", f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** Reads everything queued (no wait); returns the number of messages (0: none). */
    private static int drain(TableEvents events, List<String> seen) throws Exception {
        int total = 0;
        for (int i = 0; i < 10_000; i++) {
            int n = events.poll(0, new TableEvents.Listener() {
                @Override
                public void tableDeleted(String by) {
                    seen.add("deleted by " + by);
                }

                @Override
                public void lost() {
                    seen.add("lost");
                }
            });
            if (n < 0) {
                return total;
            }
            total += n;
        }
        throw new AssertionError("notifications did not stop");
    }
}
