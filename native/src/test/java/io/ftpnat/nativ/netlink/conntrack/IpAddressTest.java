package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Address literals only: the JDK's InetAddress.getByName looks up any string that is not a valid
 * literal ("999.1.1.1", "localhost"), so a query filter or a policy could make the daemon send DNS
 * queries. The messages show which path refused: "above 255" is the hand-written IPv4 parser.
 */
class IpAddressTest {
    @Test
    void literalsParse() {
        assertThat(IpAddress.parse("10.10.10.2")).hasToString("10.10.10.2");
        assertThat(IpAddress.parse(" fd00:10::2 ")).hasToString("fd00:10::2");
        assertThat(IpAddress.parse("::ffff:1.2.3.4").v6()).isFalse(); // the JDK maps it to IPv4, as before
    }

    @Test
    void anythingElseIsRefusedWithoutALookup() {
        assertThatThrownBy(() -> IpAddress.parse("999.1.1.1")).hasMessageContaining("above 255");
        for (String s : new String[] {"localhost", "example.com", "1.2.3", "fe80::1%eth0", "1.2.3.4.5", "g::1", "", "[::1]"}) {
            assertThatThrownBy(() -> IpAddress.parse(s)).as(s).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
