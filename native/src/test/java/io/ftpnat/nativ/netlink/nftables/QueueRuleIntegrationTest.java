package io.ftpnat.nativ.netlink.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;
import io.ftpnat.nativ.netlink.queue.NfqueuePacket;
import io.ftpnat.nativ.netlink.queue.NfqueueSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queueing rule written over nf_tables netlink into a chain of our own {@code inet} table: on a
 * kernel without nft_queue (this lab's), the xtables NFQUEUE target through nft_compat. The rule
 * holds packets for a bound queue, lets them pass while nobody is bound (bypass), and goes away
 * with the table.
 *
 * <pre>
 *   one namespace, loopback:  udp to :2121 ── output hook, table inet own, chain hold ─▶ queue 9 ─▶ receiver
 * </pre>
 */
class QueueRuleIntegrationTest {
    @Test
    void theCompatTargetInOurOwnInetTableHoldsUntilTheVerdictAndBypassesWhenNobodyListens() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("qrule");
            NetnsLab.exec(ns, "nft", "add table inet own; add chain inet own hold; "
                    + "add chain inet own out { type filter hook output priority 0; }; add rule inet own out udp dport 2121 jump hold");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 NetlinkConnection conn = new NetlinkConnection(netns.openNetlink(KernelTransport.NETLINK_NETFILTER))) {
                // the probe ftpnatd makes: nft_queue where the kernel has it (not this lab's: no CONFIG_NFT_QUEUE)
                NetnsLab.exec(ns, "nft", "add chain inet own probe");
                boolean nftQueue;
                try {
                    QueueRule.append(conn, "own", "probe", 9, QueueRule.Kind.NFT_QUEUE);
                    nftQueue = true;
                } catch (NetlinkException e) {
                    nftQueue = false;
                }
                System.out.println("kernel has nft_queue: " + nftQueue);
                // the fallback, proven on every kernel: the xtables target through nft_compat
                QueueRule.append(conn, "own", "hold", 9, QueueRule.Kind.XT_NFQUEUE);
                String listed = NetnsLab.exec(ns, "nft", "list", "chain", "inet", "own", "hold");
                // nft (built with xtables) prints the compat target translated, like the native statement
                assertThat(listed).contains("queue num 9 bypass");
                assertThatThrownBy(() -> QueueRule.append(conn, "own", "missing", 9, QueueRule.Kind.XT_NFQUEUE))
                        .isInstanceOf(NetlinkException.class);

                // nobody bound: the packet passes
                assertThat(NetnsLab.exec(ns, "python3", "-c", ECHO, "bypass")).contains("got bypass");

                try (NfqueueSocket queue = NfqueueSocket.bind(netns, 9, 256, 16)) {
                    Process p = lab.spawnWithOutput(ns, "python3", "-c", ECHO, "held");
                    List<NfqueuePacket> held = new ArrayList<>();
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (held.isEmpty() && System.nanoTime() < deadline) {
                        queue.poll(held::add, 200);
                    }
                    assertThat(held).hasSize(1);
                    assertThat(held.get(0).hook()).isEqualTo(3);
                    queue.verdict(held.get(0).id(), NfqueueSocket.Verdict.ACCEPT);
                    assertThat(new String(p.getInputStream().readAllBytes())).contains("got held");
                    p.waitFor();
                }
            }
            // deleting the table removes the rule with it
            NetnsLab.exec(ns, "nft", "delete table inet own");
            assertThat(NetnsLab.exec(ns, "nft", "list", "ruleset")).doesNotContain("queue");
        }
    }

    private static final String ECHO = String.join("\n",
            "import socket, sys",
            "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 2121)); r.settimeout(5)",
            "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[1].encode(), ('127.0.0.1', 2121))",
            "print('got', r.recvfrom(100)[0].decode(), flush=True)");
}
