package io.ftpnat.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressParsingTest {
    @Test
    void prefixesOverlapOnlyWithinAFamily() {
        assertThat(IpPrefix.parse("10.10.0.0/16").overlaps(IpPrefix.parse("10.10.10.0/24"))).isTrue();
        assertThat(IpPrefix.parse("10.10.10.0/24").overlaps(IpPrefix.parse("10.10.0.0/16"))).isTrue();
        assertThat(IpPrefix.parse("10.10.10.0/24").overlaps(IpPrefix.parse("10.10.11.0/24"))).isFalse();
        assertThat(IpPrefix.parse("::/0").overlaps(IpPrefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(IpPrefix.parse("fd00:10::/64").overlaps(IpPrefix.parse("fd00:10::2"))).isTrue();
    }

    @Test
    void ipv6IsPrintedAsNftablesPrintsIt() {
        assertThat(IpPrefix.parse("fd00:0010:0000:0000::/64")).hasToString("fd00:10::/64");
        assertThat(Endpoint.parse("[fd00:192::115]:2121").toNft(21)).isEqualTo("[fd00:192::115]:2121");
        assertThat(Endpoint.parse("fd00:192::115").toNft(21)).isEqualTo("[fd00:192::115]:21");
        assertThat(Endpoint.parse("192.168.10.115").toNft(2121)).isEqualTo("192.168.10.115:2121");
        assertThat(IpPrefix.parse("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1");
    }

    @Test
    void endpointsAndRangesRefuseWhatIsNotThere() {
        assertThatThrownBy(() -> Endpoint.parse("[fd00::1")).hasMessageContaining("missing ']'");
        assertThatThrownBy(() -> Endpoint.parse("10.0.0.1:x")).hasMessageContaining("'x' is not a port");
        assertThatThrownBy(() -> PortRange.parse("1-2-3")).hasMessageContaining("not a port range");
        assertThat(PortRange.parse("62000-62100").contains(62050)).isTrue();
        assertThat(PortRange.parse("40000").toNft()).isEqualTo("40000");
    }
}
