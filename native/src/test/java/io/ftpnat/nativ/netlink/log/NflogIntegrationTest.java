package io.ftpnat.nativ.netlink.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** NFLOG from the real kernel: an nft log rule in a namespace copies packets to our socket. */
class NflogIntegrationTest {
    @Test
    void packetsLoggedByNftArriveWithPayload() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.newNamespace("log");
            NetnsLab.exec(ns, "nft", "add table inet t; add chain inet t out { type filter hook output priority 0; }; "
                    + "add rule inet t out udp dport 2121 log group 9 prefix \"ftp-ctl \"");
            try (NetworkNamespace netns = NetworkNamespace.enter(ns);
                 NflogSocket log = NflogSocket.bind(netns, 9, NflogSocket.CopyMode.PACKET, 200)) {
                NetnsLab.exec(ns, "python3", "-c", "import socket\n"
                        + "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'227 Entering Passive Mode (127,0,0,1,4,1)\\r\\n', ('127.0.0.1', 2121))\n"
                        + "socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'EPSV\\r\\n' + b'x' * 1000, ('::1', 2121))\n");
                List<NflogPacket> got = new ArrayList<>();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (got.size() < 2 && System.nanoTime() < deadline) {
                    log.poll(got::add, 200);
                }
                assertThat(got).hasSize(2);
                NflogPacket v4 = got.get(0);
                assertThat(v4.group()).isEqualTo(9);
                assertThat(v4.prefix()).isEqualTo("ftp-ctl ");
                assertThat(v4.hook()).isEqualTo(3);
                assertThat(v4.family()).isEqualTo(2);
                assertThat(v4.seq()).isZero(); // NFULNL_CFG_F_SEQ numbering starts at 0
                assertThat(new String(v4.payload(), StandardCharsets.ISO_8859_1)).endsWith("(127,0,0,1,4,1)\r\n");
                NflogPacket v6 = got.get(1);
                assertThat(v6.family()).isEqualTo(10);
                assertThat(v6.payload()).hasSize(200); // the copy range
                assertThat(v6.seq()).isEqualTo(1);
            } catch (NetlinkException e) {
                throw e;
            }
        }
    }
}
