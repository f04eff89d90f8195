package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;

/**
 * The same scenarios against the real kernel (in a namespace) and against
 * {@link FakeConntrackKernel}: what the fake promises is what the kernel does.
 */
abstract class ConntrackContract {
    /** What a scenario needs from a backend. */
    interface Backend extends AutoCloseable {
        ConntrackClient client() throws Exception;

        ConntrackEvents events() throws Exception;

        /** An established TCP entry (no helper) with this original tuple, mark and zone. */
        void insert(Tuple original, int mark, int zone) throws Exception;

        /** The original tuple of a live control connection with the ftp helper attached. */
        Tuple masterWithHelper() throws Exception;

        @Override
        void close();
    }

    abstract Backend backend() throws Exception;

    static final Tuple A = Tuple.tcp("10.20.0.1", 1001, "10.20.0.2", 21);
    static final Tuple B = Tuple.tcp("10.20.0.3", 1002, "10.20.0.2", 80);
    static final Tuple C = Tuple.tcp("fd00:20::1", 1003, "fd00:20::2", 21);

    private static int errno(ThrowingRunnable r) {
        try {
            r.run();
        } catch (NetlinkException e) {
            return e.errno();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return 0;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void conntrackTable() throws Exception {
        try (Backend be = backend()) {
            be.insert(A, 7, 0);
            be.insert(B, 0x10007, 0);
            be.insert(C, 0, 5);
            ConntrackClient c = be.client();
            assertThat(c.list(ConntrackFilter.all()).stream().map(Conntrack::original)).contains(A, B, C);
            assertThat(c.list(ConntrackFilter.all().mark(7)).stream().map(Conntrack::original)).containsExactly(A);
            assertThat(c.list(ConntrackFilter.all().mark(7, 0xffff)).stream().map(Conntrack::original)).containsExactlyInAnyOrder(A, B);
            assertThat(c.list(ConntrackFilter.all().zone(5)).stream().map(Conntrack::original)).containsExactly(C);
            assertThat(c.list(ConntrackFilter.all().ipv6()).stream().map(Conntrack::original)).containsExactly(C);
            assertThat(c.get(A)).hasValueSatisfying(x -> assertThat(x.mark()).isEqualTo(7));
            assertThat(c.get(A.reversed())).hasValueSatisfying(x -> assertThat(x.original()).isEqualTo(A));
            assertThat(c.get(C)).isEmpty(); // wrong zone
            assertThat(c.get(C, 5)).isPresent();
            c.updateMark(A, 0, 42);
            assertThat(c.get(A).orElseThrow().mark()).isEqualTo(42);
            c.delete(B, 0);
            assertThat(c.get(B)).isEmpty();
            assertThat(errno(() -> c.delete(B, 0))).isEqualTo(Errno.ENOENT);
            assertThat(errno(() -> c.updateMark(B, 0, 1))).isEqualTo(Errno.ENOENT);
        }
    }

    @Test
    void expectationRules() throws Exception {
        try (Backend be = backend()) {
            be.insert(A, 0, 0);
            Tuple m = be.masterWithHelper();
            ConntrackClient c = be.client();
            Tuple e1 = new Tuple(m.src(), m.dst(), Tuple.TCP, 0, 45801, 0, 0, 0);
            Tuple e2 = new Tuple(m.src(), m.dst(), Tuple.TCP, 0, 45802, 0, 0, 0);
            Tuple onA = new Tuple(A.src(), A.dst(), Tuple.TCP, 0, 45803, 0, 0, 0);
            assertThat(errno(() -> c.createExpectation(Expectation.create(A, onA, 60)))).isEqualTo(Errno.EOPNOTSUPP);
            Tuple missing = new Tuple(m.src(), m.dst(), Tuple.TCP, 1, 21, 0, 0, 0);
            assertThat(errno(() -> c.createExpectation(Expectation.create(missing, e1, 60)))).isEqualTo(Errno.ENOENT);
            assertThat(errno(() -> c.createExpectation(Expectation.create(m, e1, 60).withFunction("bogus")))).isEqualTo(Errno.EINVAL);

            c.createExpectation(Expectation.create(m, e1, 60));
            Expectation got = c.getExpectation(e1, 0).orElseThrow();
            assertThat(got.master()).isEqualTo(m);
            assertThat(got.helper()).isEqualTo("ftp");
            assertThat(got.timeout()).isBetween(290, 300);
            assertThat(got.flags()).isZero();
            assertThat(got.id()).isPositive();
            assertThat(errno(() -> c.createExpectation(Expectation.create(m, e1, 60)))).isEqualTo(Errno.EEXIST);

            c.createExpectation(Expectation.create(m, e2, 60)
                    .withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, IpAddress.parse("198.51.100.9"), 40000)));
            assertThat(c.getExpectation(e1, 0)).as("max_expected 1: the older one is evicted").isEmpty();
            Expectation withNat = c.getExpectation(e2, 0).orElseThrow();
            assertThat(withNat.function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
            assertThat(withNat.nat().address()).isEqualTo(IpAddress.parse("198.51.100.9"));
            assertThat(withNat.nat().port()).isEqualTo(40000);
            assertThat(withNat.nat().direction()).isEqualTo(Direction.REPLY);

            c.deleteExpectation(e2, 0);
            assertThat(c.getExpectation(e2, 0)).isEmpty();
            assertThat(errno(() -> c.deleteExpectation(e2, 0))).isEqualTo(Errno.ENOENT);

            c.createExpectation(Expectation.create(m, e1, 60));
            c.delete(m, 0);
            assertThat(c.getExpectation(e1, 0)).as("deleting the master removes its expectations").isEmpty();
        }
    }

    @Test
    void events() throws Exception {
        try (Backend be = backend()) {
            ConntrackEvents ev = be.events();
            Tuple m = be.masterWithHelper();
            be.insert(A, 3, 0);
            ConntrackClient c = be.client();
            c.updateMark(A, 0, 4);
            c.delete(A, 0);
            Tuple e1 = new Tuple(m.src(), m.dst(), Tuple.TCP, 0, 45811, 0, 0, 0);
            c.createExpectation(Expectation.create(m, e1, 60));
            c.deleteExpectation(e1, 0);
            List<String> seen = new ArrayList<>();
            EventHandler h = new EventHandler() {
                @Override
                public void onConntrack(ConntrackEvent e) {
                    if (e.conntrack().original().equals(A)) {
                        seen.add(e.type() + " mark=" + e.conntrack().mark());
                    }
                }

                @Override
                public void onExpectation(ExpectationEvent e) {
                    if (e.expectation().tuple().equals(e1)) {
                        seen.add("EXP_" + e.type() + " master=" + e.expectation().master().equals(m));
                    }
                }
            };
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < 5 && System.nanoTime() < deadline) {
                ev.poll(h, 100);
            }
            assertThat(seen).containsExactly("NEW mark=3", "UPDATE mark=4", "DESTROY mark=4",
                    "EXP_NEW master=true", "EXP_DESTROY master=true");
        }
    }

    static EnumSet<ConntrackEvents.Group> allGroups() {
        return EnumSet.allOf(ConntrackEvents.Group.class);
    }
}
