package io.ftpnat.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.Direction;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationNat;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The new master creates only an expectation the kernel helper could have created: between the
 * control connection's own endpoints. A replicated expectation naming a third address (a bounce
 * to another host, a forged message with a stolen key) is refused.
 */
class FtpControlStateTest {
    // DNAT + SNAT: client 10.10.10.2 -> VIP 10.10.10.1:21, reply from the server 192.168.10.115 to 192.168.10.114
    static final Tuple ORIGINAL = Tuple.tcp("10.10.10.2", 40000, "10.10.10.1", 21);
    static final Tuple REPLY = Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 61000);

    static Expectation expect(String src, String dst, int port) {
        return Expectation.create(ORIGINAL, Tuple.tcp(src, 0, dst, port), -1).withHelper("ftp")
                .withNat(ExpectationNat.to(Direction.ORIGINAL, Tuple.TCP, IpAddress.V4_ANY, port));
    }

    @Test
    void thePassiveDataConnectionOfTheSessionIsConsistent() {
        assertThat(FtpControlState.consistent(expect("10.10.10.2", "10.10.10.1", 40091), ORIGINAL, REPLY)).isTrue();
    }

    @Test
    void aThirdAddressIsRefused() {
        assertThat(FtpControlState.consistent(expect("10.10.10.2", "192.0.2.99", 40091), ORIGINAL, REPLY)).isFalse();
        assertThat(FtpControlState.consistent(expect("198.51.100.7", "10.10.10.1", 40091), ORIGINAL, REPLY)).isFalse();
    }

    @Test
    void anotherMastersExpectationOrPortZeroIsRefused() {
        Expectation other = Expectation.create(Tuple.tcp("10.10.10.3", 1, "10.10.10.1", 21),
                Tuple.tcp("10.10.10.2", 0, "10.10.10.1", 40091), -1);
        assertThat(FtpControlState.consistent(other, ORIGINAL, REPLY)).isFalse();
        assertThat(FtpControlState.consistent(expect("10.10.10.2", "10.10.10.1", 0), ORIGINAL, REPLY)).isFalse();
    }

    @Test
    void aNatAddressMustBeTheConnectionsOwnOrNone() {
        Expectation e = Expectation.create(ORIGINAL, Tuple.tcp("10.10.10.2", 0, "10.10.10.1", 40091), -1)
                .withNat(ExpectationNat.to(Direction.ORIGINAL, Tuple.TCP, IpAddress.parse("192.0.2.99"), 40091));
        assertThat(FtpControlState.consistent(e, ORIGINAL, REPLY)).isFalse();
    }
}
