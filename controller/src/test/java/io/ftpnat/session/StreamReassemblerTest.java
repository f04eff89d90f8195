package io.ftpnat.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamReassemblerTest {
    private static TcpSegment seg(long seq, String data) {
        return TcpSegment.decode(Packets.v4("10.10.10.2", 40000, "192.168.10.115", 21, seq, data)).orElseThrow();
    }

    private static String text(List<StreamReassembler.Chunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StreamReassembler.Chunk c : chunks) {
            if (c.gapBefore()) {
                out.writeBytes("|GAP|".getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes(c.data());
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void inOrderSegmentsComeOutAsSent() {
        StreamReassembler r = new StreamReassembler(1024);
        assertThat(text(r.offer(seg(100, "USER a\r\n")))).isEqualTo("USER a\r\n");
        assertThat(text(r.offer(seg(108, "PASV\r\n")))).isEqualTo("PASV\r\n");
    }

    @Test
    void aRetransmissionIsDeliveredOnceAndAnOverlapOnlyForItsNewPart() {
        StreamReassembler r = new StreamReassembler(1024);
        r.offer(seg(100, "PORT 10,10,"));
        assertThat(text(r.offer(seg(100, "PORT 10,10,")))).isEmpty();
        assertThat(text(r.offer(seg(105, "10,10,10,2,1,2\r\n")))).isEqualTo("10,2,1,2\r\n");
        assertThat(r.retransmittedBytes()).isEqualTo(11 + 6);
    }

    @Test
    void segmentsOutOfOrderWaitForTheHole() {
        StreamReassembler r = new StreamReassembler(1024);
        r.offer(seg(100, "AB"));
        assertThat(text(r.offer(seg(104, "EF")))).isEmpty();
        assertThat(text(r.offer(seg(102, "CD")))).isEqualTo("CDEF");
        assertThat(r.gaps()).isZero();
    }

    @Test
    void aCopyCutAtTheSnaplenIsAGapAfterItsCopiedPart() {
        StreamReassembler r = new StreamReassembler(1024);
        byte[] p = Packets.v4("10.10.10.2", 1, "192.168.10.115", 21, 100, "0123456789\r\n".getBytes(StandardCharsets.US_ASCII), 20 + 32 + 4);
        assertThat(text(r.offer(TcpSegment.decode(p).orElseThrow()))).isEqualTo("0123|GAP|");
        assertThat(text(r.offer(seg(112, "NEXT\r\n")))).isEqualTo("NEXT\r\n");
        assertThat(r.gaps()).isEqualTo(1);
    }

    @Test
    void aHoleThatIsNeverFilledIsSkippedOnceTooMuchWaits() {
        StreamReassembler r = new StreamReassembler(8);
        r.offer(seg(100, "AB"));
        assertThat(text(r.offer(seg(110, "XYZW")))).isEmpty();
        assertThat(text(r.offer(seg(114, "QRST\r\n")))).isEqualTo("|GAP|XYZWQRST\r\n");
        assertThat(r.gaps()).isEqualTo(1);
    }

    @Test
    void sequenceNumbersWrapAround() {
        StreamReassembler r = new StreamReassembler(1024);
        r.offer(seg(0xfffffffeL, "AB"));
        assertThat(text(r.offer(seg(0, "CD")))).isEqualTo("CD");
        assertThat(text(r.offer(seg(0xfffffffeL, "AB")))).isEmpty();
    }

    @Test
    void notTcpOrTooShortIsNoSegment() {
        assertThat(TcpSegment.decode(new byte[0])).isEmpty();
        assertThat(TcpSegment.decode(new byte[] {0x45, 0, 0})).isEmpty();
        byte[] udp = Packets.v4("1.2.3.4", 1, "5.6.7.8", 2, 0, "x");
        udp[9] = 17;
        assertThat(TcpSegment.decode(udp)).isEmpty();
        assertThat(TcpSegment.decode(Packets.v6("fd00:10::2", 40000, "fd00:192::115", 21, 5, "EPSV\r\n")).orElseThrow().length())
                .isEqualTo(6);
    }
}
