package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The connection budget: per IPv4 address, per IPv6 /64, and in total; places come back. */
class AdmissionsTest {
    static IpAddress ip(String s) {
        try {
            return IpAddress.of(InetAddress.getByName(s));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void anIpv6Slash64IsOneClientWhateverItsAddresses() {
        Admissions a = new Admissions();
        for (int i = 1; i <= 3; i++) {
            assertThat(a.admit(ip("fd00:10::" + i), 100, 3)).isEqualTo(Admissions.Refusal.NONE);
        }
        assertThat(a.admit(ip("fd00:10::ffff:1234:5678:9abc"), 100, 3)).isEqualTo(Admissions.Refusal.PER_CLIENT);
        assertThat(a.admit(ip("fd00:11::1"), 100, 3)).as("another /64").isEqualTo(Admissions.Refusal.NONE);
        a.release(ip("fd00:10::2"));
        assertThat(a.admit(ip("fd00:10::77"), 100, 3)).isEqualTo(Admissions.Refusal.NONE);
    }

    @Test
    void ipv4CountsPerAddressAndMappedAddressesAreIpv4() {
        Admissions a = new Admissions();
        assertThat(a.admit(ip("10.10.10.2"), 100, 1)).isEqualTo(Admissions.Refusal.NONE);
        assertThat(a.admit(ip("::ffff:10.10.10.2"), 100, 1)).isEqualTo(Admissions.Refusal.PER_CLIENT);
        assertThat(a.admit(ip("10.10.10.3"), 100, 1)).isEqualTo(Admissions.Refusal.NONE);
    }

    @Test
    void theTotalIsCheckedFirstAndPlacesComeBack() {
        Admissions a = new Admissions();
        assertThat(a.admit(ip("10.0.0.1"), 2, 5)).isEqualTo(Admissions.Refusal.NONE);
        assertThat(a.admit(ip("10.0.0.2"), 2, 5)).isEqualTo(Admissions.Refusal.NONE);
        assertThat(a.admit(ip("10.0.0.3"), 2, 5)).isEqualTo(Admissions.Refusal.TOTAL);
        a.release(ip("10.0.0.1"));
        a.release(ip("10.0.0.1")); // a second release of the same place changes nothing
        assertThat(a.total()).isEqualTo(1);
        assertThat(a.admit(ip("10.0.0.3"), 2, 5)).isEqualTo(Admissions.Refusal.NONE);
    }
}
