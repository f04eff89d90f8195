package io.ftpnat.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.netlink.conntrack.Direction;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationNat;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustment;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The pair's messages: what the old master's kernel reported about an active-mode session through
 * SNAT (PORT 10,10,10,2 rewritten to 192,168,10,114: +4 on the original direction; the server's
 * data connection expected at the VIP, NAT back to the client's port) crosses the sync link intact,
 * and nothing else is accepted: another key, one flipped bit, a truncated or oversized datagram.
 */
class HaWireTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    static final Tuple CONTROL = Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21);

    static FtpControlState activeSession() {
        Tuple expected = Tuple.tcp("192.168.10.115", 0, "192.168.10.114", 50123);
        Expectation e = Expectation.create(CONTROL, expected, -1).withHelper("ftp")
                .withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, IpAddress.V4_ANY, 50123));
        return new FtpControlState(CONTROL, new SequenceAdjustments(new SequenceAdjustment(3_000_000_000L, 0, 4),
                SequenceAdjustment.NONE), e);
    }

    @Test
    void aSessionsStateCrossesTheLinkIntact() {
        HaWire wire = new HaWire(KEY);
        byte[] d = wire.encode(HaWire.Type.STATE, 7, 1, 1000, activeSession(), null);
        assertThat(d.length).isLessThanOrEqualTo(HaWire.MAX_DATAGRAM);
        HaWire.Message m = wire.decode(d, d.length);
        assertThat(m).isNotNull();
        assertThat(m.type()).isEqualTo(HaWire.Type.STATE);
        assertThat(m.boot()).isEqualTo(7);
        assertThat(m.counter()).isEqualTo(1);
        FtpControlState s = m.state();
        assertThat(s.master()).isEqualTo(CONTROL);
        assertThat(s.adjustments()).isEqualTo(activeSession().adjustments());
        assertThat(s.expectation().tuple()).isEqualTo(activeSession().expectation().tuple());
        assertThat(s.expectation().mask()).isEqualTo(activeSession().expectation().mask());
        assertThat(s.expectation().nat()).isEqualTo(activeSession().expectation().nat());
        assertThat(s.expectation().function()).isEqualTo(Expectation.NAT_FOLLOW_MASTER);
        assertThat(s.expectation().helper()).isEqualTo("ftp");
    }

    @Test
    void goneAndHelloToo() {
        HaWire wire = new HaWire(KEY);
        byte[] gone = wire.encode(HaWire.Type.GONE, 7, 2, 1000, null, CONTROL);
        assertThat(wire.decode(gone, gone.length).gone()).isEqualTo(CONTROL);
        byte[] hello = wire.encode(HaWire.Type.HELLO, 7, 3, 1000, null, null);
        assertThat(wire.decode(hello, hello.length).type()).isEqualTo(HaWire.Type.HELLO);
    }

    @Test
    void anotherKeyATamperedByteOrACutDatagramIsNotAMessage() {
        HaWire wire = new HaWire(KEY);
        byte[] d = wire.encode(HaWire.Type.STATE, 7, 1, 1000, activeSession(), null);
        byte[] other = "another key, also 32 bytes long!".getBytes();
        assertThat(new HaWire(other).decode(d, d.length)).isNull();
        for (int i = 0; i < d.length; i++) {
            byte[] t = d.clone();
            t[i] ^= 0x01;
            assertThat(wire.decode(t, t.length)).as("bit flipped in byte %d", i).isNull();
        }
        assertThat(wire.decode(d, d.length - 1)).isNull();
        byte[] big = Arrays.copyOf(d, HaWire.MAX_DATAGRAM + 1);
        assertThat(wire.decode(big, big.length)).isNull();
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> new HaWire(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }
}
