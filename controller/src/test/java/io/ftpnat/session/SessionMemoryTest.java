package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The per-session bound FtpSession states (about 12 KiB whatever the peers send), measured: 2,000
 * sessions whose peers send long lines, smuggled commands, malformed replies and a line that never
 * ends, in both directions, and the heap they hold after a full GC. With {@link SessionModel#MAX_SESSIONS}
 * such sessions the model stays within the daemon's 256 MiB heap.
 */
class SessionMemoryTest {
    static final int SESSIONS = 2000;
    static final long BOUND_BYTES = 14 * 1024;

    @Test
    void aHostileSessionHoldsAFewKilobytes() {
        fill(200); // classes loaded, code compiled: not counted
        long before = usedAfterGc();
        SessionModel model = fill(SESSIONS);
        long perSession = (usedAfterGc() - before) / SESSIONS;
        System.out.printf("session model: %d hostile sessions, %d bytes each after GC%n", SESSIONS, perSession);
        assertThat(perSession).as("bytes per hostile session").isLessThan(BOUND_BYTES);
        assertThat(model.sessions()).hasSize(SESSIONS); // keeps the model reachable until here
        assertThat((long) SessionModel.MAX_SESSIONS * BOUND_BYTES).as("the cap fits the daemon's 256 MiB heap").isLessThan(230L << 20);
    }

    private static SessionModel fill(int sessions) {
        FakeConntrackKernel kernel = new FakeConntrackKernel();
        SessionModel model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())),
                new RepairPlanner(1024), AdvertisedAddresses.NONE, Clock.systemUTC(), new RepairBudget(Clock.systemUTC()), sessions);
        for (int i = 0; i < sessions; i++) {
            String client = "10.10." + (i / 250) + "." + (1 + i % 250);
            Conntrack c = new Conntrack(2, Tuple.tcp(client, 40000, "192.168.10.115", 21),
                    Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000 + i),
                    Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
                    null, null, null, 1_000_000L + i, 1);
            model.onConntrack(c);
            long cs = 1000;
            long ss = 5000;
            for (int k = 0; k < 40; k++) {
                String unique = i + "-" + k + "-";
                String fromClient = "X".repeat(300) + unique + "\r\nPORT 10,10,10,99," + (k % 200) + ",1\r\nFOO " + unique + "y".repeat(200)
                        + "\r\n" + "PORT 1,2,3," + unique + "\r\n";
                model.onPacket(Packets.v4(client, 40000, "192.168.10.115", 21, cs, fromClient), -1);
                cs += fromClient.length();
                String fromServer = "227 bad " + unique + "z".repeat(400) + "\r\n227 Entering Passive Mode (1,2,3,4," + k + ",1)\r\n";
                model.onPacket(Packets.v4("192.168.10.115", 21, client, 40000, ss, fromServer), -1);
                ss += fromServer.length();
            }
            String never = "W".repeat(150); // a line that never ends
            model.onPacket(Packets.v4(client, 40000, "192.168.10.115", 21, cs, never), -1);
        }
        assertThat(model.counters().tracked()).isEqualTo(sessions);
        return model;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
