package io.ftpnat.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.SctpState;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import org.junit.jupiter.api.Test;

/**
 * ConntrackLine against lines conntrack-tools 1.4.7 printed on this project's kernel 6.18 (the
 * expected strings below were captured with {@code conntrack -I} then {@code conntrack -L} in a
 * namespace; ConntrackLineGoldenTest compares whole live tables). [OFFLOAD] and [HW_OFFLOAD]
 * cannot be produced here (the kernel has no flowtable support: CONFIG_NF_FLOW_TABLE is not set),
 * so their lines are the captured [ASSURED] line with the marker libnetfilter_conntrack's
 * __snprintf_status_assured prints instead: HW_OFFLOAD, else OFFLOAD, else ASSURED, exclusive.
 */
class ConntrackLineTest {
    static final String ASSURED = "tcp      6 499 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 "
            + "src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=7 use=1";

    static Conntrack tcp(int status) {
        Tuple t = Tuple.tcp("10.0.0.1", 1000, "10.0.0.2", 80);
        return new Conntrack(4, t, t.reversed(), status, TcpState.ESTABLISHED, 499, 7, 0, null, null, null, null, -1, 1);
    }

    @Test
    void assuredOffloadedAndHardwareOffloadedAreOneExclusiveMarker() {
        int seen = Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | Status.ASSURED.mask();
        assertThat(ConntrackLine.of(tcp(seen))).isEqualTo(ASSURED);
        assertThat(ConntrackLine.of(tcp(seen | Status.OFFLOAD.mask()))).isEqualTo(ASSURED.replace("[ASSURED]", "[OFFLOAD]"));
        assertThat(ConntrackLine.of(tcp(seen | Status.OFFLOAD.mask() | Status.HW_OFFLOAD.mask())))
                .isEqualTo(ASSURED.replace("[ASSURED]", "[HW_OFFLOAD]"));
        assertThat(ConntrackLine.of(tcp(seen | Status.HW_OFFLOAD.mask()))).isEqualTo(ASSURED.replace("[ASSURED]", "[HW_OFFLOAD]"));
    }

    @Test
    void greKeysAreHex() {
        Tuple t = Tuple.of(47, IpAddress.parse("10.0.0.1"), 1, IpAddress.parse("10.0.0.6"), 2);
        Conntrack c = new Conntrack(4, t, t.reversed(), Status.CONFIRMED.mask(), null, 29, 0, 0, null, null, null, null, -1, 1);
        assertThat(ConntrackLine.of(c)).isEqualTo("gre      47 29 src=10.0.0.1 dst=10.0.0.6 srckey=0x1 dstkey=0x2 [UNREPLIED] "
                + "src=10.0.0.6 dst=10.0.0.1 srckey=0x2 dstkey=0x1 mark=0 use=1");
    }

    @Test
    void sctpShowsItsState() {
        Tuple t = Tuple.of(132, IpAddress.parse("10.0.0.1"), 5000, IpAddress.parse("10.0.0.5"), 5001);
        Conntrack c = new Conntrack(4, t, t.reversed(), Status.CONFIRMED.mask(), null, 29, 0, 0, null, null, null, null, -1, 1,
                SctpState.ESTABLISHED);
        assertThat(ConntrackLine.of(c)).isEqualTo("sctp     132 29 ESTABLISHED src=10.0.0.1 dst=10.0.0.5 sport=5000 dport=5001 "
                + "[UNREPLIED] src=10.0.0.5 dst=10.0.0.1 sport=5001 dport=5000 mark=0 use=1");
    }
}
