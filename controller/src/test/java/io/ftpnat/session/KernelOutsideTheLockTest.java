package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;

import io.ftpnat.kernel.SessionKernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The model calls the kernel outside its lock: while a repair's ctnetlink request is in flight
 * (held here until the test lets it go), the API's queries and the other threads' events are
 * answered. Then the repair is recorded as before. Reference lab: client 10.10.10.2 behind the
 * router's masquerade, server 192.168.10.115 advertising 198.51.100.9.
 */
class KernelOutsideTheLockTest {
    static final String CLIENT = "10.10.10.2";
    static final String SERVER = "192.168.10.115";

    @Test
    void queriesAreAnsweredWhileARepairIsInTheKernel() throws Exception {
        FakeConntrackKernel fake = new FakeConntrackKernel();
        NetlinkSessionKernel real = new NetlinkSessionKernel(() -> new ConntrackClient(fake.transport()));
        CountDownLatch inKernel = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        SessionKernel slow = new SessionKernel() {
            @Override
            public void dumpConntrack(DumpConsumer<Conntrack> c) throws NetlinkException {
                real.dumpConntrack(c);
            }

            @Override
            public void dumpExpectations(DumpConsumer<Expectation> c) throws NetlinkException {
                real.dumpExpectations(c);
            }

            @Override
            public void createExpectation(Expectation e) throws NetlinkException {
                inKernel.countDown();
                try {
                    letGo.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                real.createExpectation(e);
            }

            @Override
            public void deleteExpectation(Tuple expected) throws NetlinkException {
                real.deleteExpectation(expected);
            }
        };
        SessionModel model = new SessionModel(slow, new RepairPlanner(1024), AdvertisedAddresses.NONE, new ManualClock());
        Conntrack control = fake.add(new Conntrack(2, Tuple.tcp(CLIENT, 40000, SERVER, 21), Tuple.tcp(SERVER, 21, "192.168.10.114", 40000),
                Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.SRC_NAT.mask(), TcpState.ESTABLISHED, 300, 0, 0, "ftp",
                null, null, null, -1, 1));
        model.onConntrack(control);
        model.onPacket(Packets.v4(SERVER, 21, CLIENT, 40000, 5000, "220 lab\r\n"), -1);
        model.onPacket(Packets.v4(CLIENT, 40000, SERVER, 21, 1000, "PASV\r\n"), -1);

        // the observer's thread: the foreign 227 calls for a repair, and the kernel takes its time
        CompletableFuture<Void> observer = CompletableFuture.runAsync(() -> model.onPacket(
                Packets.v4(SERVER, 21, CLIENT, 40000, 5009, "227 Entering Passive Mode (198,51,100,9,156,64).\r\n"), -1));
        assertThat(inKernel.await(30, TimeUnit.SECONDS)).as("the repair reached the kernel").isTrue();

        // meanwhile the API and the event thread are served (they would wait on the lock if the kernel call held it)
        String id = Long.toString(control.id());
        SessionSnapshot during = CompletableFuture.supplyAsync(() -> model.session(id).orElseThrow()).get(30, TimeUnit.SECONDS);
        assertThat(during.latest().orElseThrow().state()).as("not in the kernel yet").isEqualTo(ObservedChannel.State.PENDING);
        CompletableFuture.runAsync(() -> model.onConntrack(control)).get(30, TimeUnit.SECONDS);
        assertThat(observer).isNotDone();

        letGo.countDown();
        observer.get(30, TimeUnit.SECONDS);
        assertThat(fake.expectations()).singleElement().satisfies(e -> assertThat(e.tuple()).isEqualTo(Tuple.tcp(CLIENT, 0, SERVER, 40000)));
        assertThat(model.session(id).orElseThrow().latest().orElseThrow().state()).isEqualTo(ObservedChannel.State.EXPECTED);
        assertThat(model.counters().repairs()).isEqualTo(1);
    }
}
