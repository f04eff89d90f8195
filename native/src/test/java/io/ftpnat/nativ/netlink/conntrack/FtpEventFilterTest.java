package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.BpfInterpreter;
import io.ftpnat.nativ.netlink.MessageWriter;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.SocketFilter;

/**
 * The event socket's kernel filter, run by a classic-BPF interpreter on event datagrams crafted
 * as ctnetlink sends them: what concerns FTP passes, the rest of the router's traffic does not.
 */
class FtpEventFilterTest {
    private static final SocketFilter FILTER = FtpEventFilter.program();
    private static final Tuple CONTROL = Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21);
    private static final Tuple DATA = Tuple.tcp("192.168.10.115", 20, "10.10.10.2", 45000);
    private static final Tuple WEB = Tuple.tcp("10.10.10.2", 40001, "192.168.10.115", 443);
    private static final int SEEN = Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask();

    private static Conntrack entry(Tuple t, int status, String helper, Tuple master) {
        return new Conntrack(t.family(), t, t.reversed(), status, TcpState.ESTABLISHED, 120, 0, 0, helper, master, null, null, 7, 1);
    }

    private static byte[] event(int msg, int flags, Conntrack c) {
        MessageWriter w = new MessageWriter(1024);
        w.begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, msg), flags, c.family(), 0);
        c.encode(w);
        return w.toBytes(0);
    }

    private static byte[] created(Conntrack c) {
        return event(Cta.IPCTNL_MSG_CT_NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, c);
    }

    /** A DESTROY event: ctnetlink sends neither CTA_HELP nor CTA_TUPLE_MASTER with it. */
    private static byte[] destroyed(Conntrack c) {
        return event(Cta.IPCTNL_MSG_CT_DELETE, 0, entry(c.original(), c.status(), null, null));
    }

    private static boolean passes(byte[] datagram) {
        return BpfInterpreter.run(FILTER, datagram) != 0;
    }

    @Test
    void unrelatedConnectionsAreDroppedInEveryPhase() {
        Conntrack web = entry(WEB, SEEN, null, null);
        assertThat(passes(created(web))).as("NEW").isFalse();
        assertThat(passes(event(Cta.IPCTNL_MSG_CT_NEW, 0, web))).as("UPDATE").isFalse();
        assertThat(passes(destroyed(web))).as("DESTROY").isFalse();
    }

    @Test
    void ftpControlConnectionsPassInEveryPhase() {
        Conntrack control = entry(CONTROL, SEEN | Status.HELPER.mask(), "ftp", null);
        assertThat(passes(created(control))).as("NEW").isTrue();
        assertThat(passes(event(Cta.IPCTNL_MSG_CT_NEW, 0, control))).as("UPDATE").isTrue();
        assertThat(passes(destroyed(control))).as("DESTROY, status bit only").isTrue();
        assertThat(passes(created(entry(CONTROL, SEEN | Status.HELPER.mask(), "ftp-2121", null)))).as("ftp on another port").isTrue();
        assertThat(passes(created(entry(CONTROL, SEEN, "ftp", null)))).as("helper named, bit unset (ctnetlink-created)").isTrue();
    }

    @Test
    void otherHelpersAreDroppedWhileTheyNameTheirHelper() {
        Conntrack sip = entry(Tuple.tcp("10.10.10.2", 5060, "192.168.10.115", 5060), SEEN | Status.HELPER.mask(), "sip", null);
        assertThat(passes(created(sip))).isFalse();
        assertThat(passes(created(entry(CONTROL, SEEN | Status.HELPER.mask(), "ft", null)))).isFalse();
        assertThat(passes(created(entry(CONTROL, SEEN | Status.HELPER.mask(), "tftp", null)))).isFalse();
        // its DESTROY carries only the status bit: it passes, and userspace ignores it
        assertThat(passes(destroyed(sip))).isTrue();
    }

    @Test
    void dataConnectionsPassByStatusOrByMaster() {
        assertThat(passes(created(entry(DATA, SEEN | Status.EXPECTED.mask(), null, CONTROL)))).isTrue();
        assertThat(passes(destroyed(entry(DATA, SEEN | Status.EXPECTED.mask(), null, CONTROL)))).as("DESTROY").isTrue();
        assertThat(passes(created(entry(DATA, SEEN, null, CONTROL)))).as("master without the bit").isTrue();
    }

    @Test
    void expectationEventsAllPass() {
        Expectation x = Expectation.create(CONTROL, Tuple.tcp("10.10.10.2", 0, "192.168.10.115", 45999), 300).withHelper("ftp");
        MessageWriter w = new MessageWriter(1024);
        w.begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK_EXP, Cta.IPCTNL_MSG_EXP_NEW), Netlink.NLM_F_CREATE, 2, 0);
        x.encodeFull(w);
        assertThat(passes(w.toBytes(0))).isTrue();
    }

    @Test
    void malformedDatagramsNeverCrashAndNeverSmuggleAnUnrelatedEntry() {
        byte[] web = created(entry(WEB, SEEN, null, null));
        for (int cut = 0; cut < web.length; cut++) {
            byte[] part = Arrays.copyOf(web, cut);
            // an unrelated entry truncated anywhere: dropped, or passed only when the status attribute is missing
            int verdict = BpfInterpreter.run(FILTER, part);
            if (verdict != 0) {
                assertThat(cut).as("passed at %d bytes", cut).isLessThan(statusOffset(web) + 8);
            }
        }
        byte[] noStatus = new MessageWriter(64).begin(Netlink.nfType(Netlink.NFNL_SUBSYS_CTNETLINK, Cta.IPCTNL_MSG_CT_NEW), 0, 2, 0)
                .toBytes(0);
        assertThat(passes(noStatus)).as("no CTA_STATUS: cannot judge, delivered").isTrue();
    }

    private static int statusOffset(byte[] m) {
        var b = java.nio.ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        int p = FtpEventFilter.ATTRS;
        while (p + 4 <= m.length) {
            if ((b.getShort(p + 2) & 0x3fff) == Cta.CTA_STATUS) {
                return p;
            }
            p += (b.getShort(p) + 3) & ~3;
        }
        return m.length;
    }

    @Test
    void theProgramIsSmallForwardOnlyAndEndsInReturns() {
        assertThat(FILTER.length()).isLessThan(64);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            SocketFilter p = FtpEventFilter.program(order);
            assertThat(p.instructions().get(0).k()).isEqualTo(order == ByteOrder.LITTLE_ENDIAN ? 5 : 4);
            assertThat(p.instructions().get(p.length() - 1).code()).isEqualTo(SocketFilter.BPF_RET | SocketFilter.BPF_K);
        }
    }
}
