package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Counters;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed JSON of an entry (field by field) is byte for byte the tree the API always sent. */
class ConntrackJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void streamedAndTreeFormsAreTheSameBytes() throws Exception {
        Tuple control = Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21);
        Tuple natReply = Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000);
        List<Conntrack> entries = List.of(
                Conntrack.of(control, TcpState.ESTABLISHED, 0, 0, null),
                new Conntrack(2, control, natReply, Status.CONFIRMED.mask() | Status.SRC_NAT.mask() | Status.HELPER.mask(),
                        TcpState.TIME_WAIT, 119, 0xffffffff, 3, "ftp", null, new Counters(12, 3456), new Counters(10, 789), 42, 1),
                new Conntrack(2, Tuple.tcp("192.168.10.115", 20, "10.10.10.2", 45000), Tuple.tcp("10.10.10.2", 45000, "192.168.10.115", 20),
                        Status.EXPECTED.mask(), TcpState.SYN_SENT, 120, 0, 0, null, control, null, null, 7, 1),
                Conntrack.of(Tuple.udp("fd00:10::2", 5353, "fd00:192::115", 53), null, 0, 0, null),
                Conntrack.of(Tuple.icmp(IpAddress.parse("10.10.10.2"), IpAddress.parse("192.168.10.115"), 8, 0, 77), null, 0, 0, null));
        for (Conntrack c : entries) {
            StringWriter streamed = new StringWriter();
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(streamed)) {
                ConntrackJson.write(g, c);
            }
            assertThat(streamed.toString()).as("%s", c).isEqualTo(MAPPER.writeValueAsString(ConntrackJson.of(c)));
        }
    }
}
