package io.ftpnat.nativ.netlink.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Holding a packet until userspace has done something, on this kernel, which has no nft
 * {@code queue} expression: an nft rule marks only the packets worth holding (here, payload
 * starting "227 ", matched with {@code @ih}), and the xtables NFQUEUE target (iptables-nft, through
 * nft_compat) queues the marked ones with {@code --queue-bypass}.
 *
 * <pre>
 *   one namespace, loopback:  sender ──udp:2121──▶ output hook: nft marks "227 …" ─▶ NFQUEUE 7 ─▶ receiver
 * </pre>
 */
class NfqueueIntegrationTest {
    private static final String RECEIVER = String.join("\n",
            "import socket, sys, time",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.bind(('127.0.0.1', 2121))",
            "s.settimeout(float(sys.argv[1]))",
            "print('ready', flush=True)",
            "try:",
            "    while True:",
            "        d, _ = s.recvfrom(2048)",
            "        print(d.decode().strip(), flush=True)",
            "except socket.timeout:",
            "    pass");

    @Test
    void markedPacketsWaitForTheVerdictOthersPassAndNobodyBoundMeansBypass() throws Exception {
        NetnsLab.assumeRootLab();
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("queue");
            NetnsLab.exec(ns, "nft", "add table inet hold; add chain inet hold out { type filter hook output priority -10; }; "
                    + "add rule inet hold out udp dport 2121 @ih,0,32 0x32323720 meta mark set 0x2270");
            NetnsLab.exec(ns, "iptables-nft", "-A", "OUTPUT", "-m", "mark", "--mark", "0x2270", "-j", "NFQUEUE",
                    "--queue-num", "7", "--queue-bypass");

            // nobody bound: bypass, the packet passes
            assertThat(sendAndReceive(lab, ns, "227 bypassed (1,2,3,4,5,6)")).containsExactly("227 bypassed (1,2,3,4,5,6)");

            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 NfqueueSocket queue = NfqueueSocket.bind(netns, 7, 512, 64)) {
                Process receiver = lab.spawnWithOutput(ns, "python3", "-c", RECEIVER, "3");
                awaitLine(receiver, "ready");
                NetnsLab.exec(ns, "python3", "-c", "import socket\n"
                        + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                        + "s.sendto(b'150 not held', ('127.0.0.1', 2121))\n"
                        + "s.sendto(b'227 held (1,2,3,4,5,6)', ('127.0.0.1', 2121))\n"
                        + "s.sendto(b'227 dropped (1,2,3,4,5,6)', ('127.0.0.1', 2121))\n");
                List<NfqueuePacket> held = new ArrayList<>();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (held.size() < 2 && System.nanoTime() < deadline) {
                    queue.poll(held::add, 200);
                }
                assertThat(held).hasSize(2);
                assertThat(held).allSatisfy(p -> {
                    assertThat(p.queue()).isEqualTo(7);
                    assertThat(p.family()).isEqualTo(2);
                    assertThat(p.hook()).isEqualTo(3);
                    assertThat(p.mark()).isEqualTo(0x2270);
                });
                String first = new String(held.get(0).payload(), 28, held.get(0).payload().length - 28, StandardCharsets.US_ASCII);
                assertThat(first).isEqualTo("227 held (1,2,3,4,5,6)");
                // the unmarked one passed at once; the held ones only on their verdicts
                Thread.sleep(300);
                queue.verdict(held.get(0).id(), NfqueueSocket.Verdict.ACCEPT);
                queue.verdict(held.get(1).id(), NfqueueSocket.Verdict.DROP);
                List<String> got = readAll(receiver);
                assertThat(got).containsExactly("150 not held", "227 held (1,2,3,4,5,6)");
                assertThat(queue.verdictErrorCount()).isZero();
            }
            // unbound again: bypass once more
            assertThat(sendAndReceive(lab, ns, "227 after (1,2,3,4,5,6)")).containsExactly("227 after (1,2,3,4,5,6)");
        }
    }

    private static List<String> sendAndReceive(NetnsLab lab, String ns, String text) throws Exception {
        Process receiver = lab.spawnWithOutput(ns, "python3", "-c", RECEIVER, "1");
        awaitLine(receiver, "ready");
        NetnsLab.exec(ns, "python3", "-c", "import socket\n"
                + "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'" + text + "', ('127.0.0.1', 2121))\n");
        return readAll(receiver);
    }

    private static void awaitLine(Process p, String line) throws Exception {
        var r = p.inputReader(StandardCharsets.UTF_8);
        String l = r.readLine();
        assertThat(l).isEqualTo(line);
    }

    private static List<String> readAll(Process p) throws Exception {
        List<String> out = new ArrayList<>();
        var r = p.inputReader(StandardCharsets.UTF_8);
        for (String l; (l = r.readLine()) != null; ) {
            out.add(l);
        }
        p.waitFor();
        return out;
    }
}
