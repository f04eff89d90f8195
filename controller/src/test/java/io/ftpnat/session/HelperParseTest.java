package io.ftpnat.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.DataChannelOffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** nf_conntrack_ftp's reading of one segment (find_pattern and its try_* parsers), mirrored byte for byte. */
class HelperParseTest {
    static HelperParse client(String s) {
        return HelperParse.of(s.getBytes(StandardCharsets.ISO_8859_1), true, false);
    }

    static HelperParse server(String s) {
        return HelperParse.of(s.getBytes(StandardCharsets.ISO_8859_1), false, false);
    }

    @Test
    void portAtTheFirstByteInAnyCaseEndedByCr() {
        HelperParse p = client("PORT 10,10,10,2,21,179\r\n");
        assertThat(p.outcome()).isEqualTo(HelperParse.Outcome.MATCH);
        assertThat(p.address().orElseThrow().toInetAddress().getHostAddress()).isEqualTo("10.10.10.2");
        assertThat(p.port()).isEqualTo(5555);
        assertThat(client("port 10,10,10,2,21,179\r\n").outcome()).as("strncasecmp").isEqualTo(HelperParse.Outcome.MATCH);
        assertThat(client("PORTX 10,10,10,2,21,179\r\n").outcome()).as("up to the first space").isEqualTo(HelperParse.Outcome.MATCH);
    }

    @Test
    void whatTheKernelDropsAsAPartialMatch() {
        assertThat(client("PORT  10,10,10,2,21,179\r\n").outcome()).as("two spaces").isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(client("PORT 10,10,10,2,21,179\n").outcome()).as("no CR").isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(client("PORT 10,10,10,2,").outcome()).as("split").isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(client("PO").outcome()).as("a short segment that starts like it").isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(client("PORT 10,10,\u00ff\u00f1,2,21,179\r\n").outcome()).as("Telnet bytes").isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(server("227 Entering Passive Mode").outcome()).isEqualTo(HelperParse.Outcome.PARTIAL);
        assertThat(client("EPRT |1|10.10.10.2|0|\r\n").outcome()).as("port 0").isEqualTo(HelperParse.Outcome.PARTIAL);
    }

    @Test
    void onlyTheFirstByteCounts() {
        assertThat(client(" PORT 10,10,10,2,21,179\r\n").outcome()).isEqualTo(HelperParse.Outcome.NONE);
        assertThat(client("GET / HTTP/1.1\r\nPORT 10,10,10,2,21,179\r\n").outcome()).isEqualTo(HelperParse.Outcome.NONE);
        assertThat(client("LPRT 4,4,10,10,10,2,2,21,179\r\n").outcome()).isEqualTo(HelperParse.Outcome.NONE);
        assertThat(server("228 (4,4,1,2,3,4,2,1,1)\r\n").outcome()).isEqualTo(HelperParse.Outcome.NONE);
    }

    @Test
    void numbersAreReadAsTheKernelReadsThem() {
        HelperParse p = client("PORT 10,10,10,2,0,5555\r\n");
        assertThat(p.outcome()).isEqualTo(HelperParse.Outcome.MATCH);
        assertThat(p.port()).as("(0 << 8 | 5555) as a 16-bit port").isEqualTo(5555);
        HelperParse q = server("227 Entering Passive Mode (198,51,100,9,156,64).\r\n");
        assertThat(q.form()).isEqualTo(DataChannelOffer.Form.PASV_227);
        assertThat(q.address().orElseThrow().toInetAddress().getHostAddress()).isEqualTo("198.51.100.9");
        assertThat(q.port()).isEqualTo(40000);
    }

    @Test
    void eprtAndEpsv() {
        HelperParse e = client("EPRT |1|10.10.10.2|5555|\r\n");
        assertThat(e.form()).isEqualTo(DataChannelOffer.Form.EPRT);
        assertThat(e.port()).isEqualTo(5555);
        assertThat(client("EPRT |2|::1|5555|\r\n").outcome()).as("an IPv6 address on an IPv4 connection").isEqualTo(HelperParse.Outcome.PARTIAL);
        HelperParse six = HelperParse.of("EPRT |2|fd00::2|5555|\r\n".getBytes(StandardCharsets.US_ASCII), true, true);
        assertThat(six.address().orElseThrow().toInetAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:2");
        HelperParse v = server("229 Entering Extended Passive Mode (|||40001|)\r\n");
        assertThat(v.form()).isEqualTo(DataChannelOffer.Form.EPSV_229);
        assertThat(v.address()).isEmpty();
        assertThat(v.port()).isEqualTo(40001);
    }

    @Test
    void theKernelRemembersTheLastTwoSegmentEndsAfterLf() {
        LfPositions lf = new LfPositions();
        assertThat(lf.parsesAt(100)).as("a direction's first segment").isFalse();
        lf.endedInLf(110);
        lf.endedInLf(120);
        assertThat(lf.parsesAt(110)).isTrue();
        assertThat(lf.parsesAt(120)).isTrue();
        lf.endedInLf(130);
        assertThat(lf.parsesAt(110)).as("the oldest was replaced").isFalse();
        lf.endedInLf(105);
        assertThat(lf.parsesAt(105)).as("an older one is never put back").isFalse();
        LfPositions wrapping = new LfPositions();
        wrapping.endedInLf(0xfffffff0L);
        wrapping.endedInLf(0xfffffff8L);
        wrapping.endedInLf(0x1_0000_0004L);
        assertThat(wrapping.parsesAt(4)).as("mod 2^32: 4 comes after 0xfffffff0").isTrue();
    }
}
