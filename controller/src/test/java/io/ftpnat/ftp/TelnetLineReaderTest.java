package io.ftpnat.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** One direction of a control connection, arriving in whatever pieces TCP makes of it. */
class TelnetLineReaderTest {
    private static final byte[] DIALOGUE = ("USER anonymous\r\nPASS x\r\nPORT 10,10,10,2,178,12\r\nRETR one.bin\n")
            .getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void aPortCommandSplitAcrossTwoSegmentsIsOneLine() {
        TelnetLineReader r = new TelnetLineReader(512);
        assertThat(r.feed("PORT 10,10,".getBytes(StandardCharsets.US_ASCII), 0, 11)).isEmpty();
        assertThat(r.pending()).isEqualTo(11);
        byte[] rest = "10,2,178,12\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(r.feed(rest, 0, rest.length)).extracting(TelnetLineReader.Line::text).containsExactly("PORT 10,10,10,2,178,12");
    }

    @Test
    void telnetCommandsAreRemovedAndAnEscapedIacIsKept() {
        byte[] b = {'A', (byte) 255, (byte) 244, 'B', (byte) 255, (byte) 253, 1, 'C', (byte) 255, (byte) 255, (byte) 255, (byte) 250, 24, 0,
                (byte) 255, (byte) 240, 'D', '\r', '\n'};
        List<TelnetLineReader.Line> lines = new TelnetLineReader(512).feed(b, 0, b.length);
        assertThat(lines).extracting(TelnetLineReader.Line::text).containsExactly("ABC\u00ffD");
    }

    @Test
    void anOverlongLineIsReportedOnceAndSkipped() {
        TelnetLineReader r = new TelnetLineReader(16);
        byte[] b = ("X".repeat(100) + "\r\nNOOP\r\n").getBytes(StandardCharsets.US_ASCII);
        List<TelnetLineReader.Line> lines = r.feed(b, 0, b.length);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).overlong()).isTrue();
        assertThat(lines.get(1)).isEqualTo(new TelnetLineReader.Line("NOOP"));
        assertThat(r.pending()).isZero();
    }

    @Test
    void theSynchBeforeAborIsDropped() {
        byte[] b = {(byte) 255, (byte) 244, (byte) 255, (byte) 242, 'A', 'B', 'O', 'R', '\r', '\n'};
        assertThat(new TelnetLineReader(512).feed(b, 0, b.length)).containsExactly(new TelnetLineReader.Line("ABOR"));
    }

    @Test
    void everyLfEndsALineWhereverItIs() {
        byte[] b = bytes("A", 255, 251, "\nB", 255, 250, 24, "\nC", 255, "\nD\r\n");
        assertThat(new TelnetLineReader(512).feed(b, 0, b.length)).containsExactly(
                new TelnetLineReader.Line("A", TelnetLineReader.Flaw.NEGOTIATION),
                new TelnetLineReader.Line("B", TelnetLineReader.Flaw.NEGOTIATION),
                new TelnetLineReader.Line("C", TelnetLineReader.Flaw.MALFORMED_TELNET),
                new TelnetLineReader.Line("D"));
    }

    @Test
    void controlBytesAreFlaws() {
        byte[] b = bytes("A\u0000\r\nB\rC\r\nD\r\r\n", 255, 65, "E\r\n");
        assertThat(new TelnetLineReader(512).feed(b, 0, b.length)).extracting(TelnetLineReader.Line::flaw).containsExactly(
                TelnetLineReader.Flaw.CONTROL_BYTE, TelnetLineReader.Flaw.CONTROL_BYTE, TelnetLineReader.Flaw.CONTROL_BYTE,
                TelnetLineReader.Flaw.MALFORMED_TELNET);
    }

    @Test
    void telnetBytesCountTowardsTheLineLimit() {
        TelnetLineReader r = new TelnetLineReader(16);
        byte[] nops = new byte[1000];
        for (int i = 0; i < nops.length; i += 2) {
            nops[i] = (byte) 255;
            nops[i + 1] = (byte) 241;
        }
        assertThat(r.feed(nops, 0, nops.length)).singleElement().satisfies(l -> assertThat(l.overlong()).isTrue());
        assertThat(r.pending()).isZero();
    }

    static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                out.write(i);
            } else {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    @Property(tries = 300, seed = "20261201")
    void anySegmentationGivesTheSameLines(@ForAll @IntRange(min = 1, max = 40) int a, @ForAll @IntRange(min = 1, max = 40) int b) {
        TelnetLineReader r = new TelnetLineReader(512);
        List<String> got = new ArrayList<>();
        int pos = 0;
        boolean first = true;
        while (pos < DIALOGUE.length) {
            int n = Math.min(first ? a : b, DIALOGUE.length - pos);
            r.feed(DIALOGUE, pos, n).forEach(l -> got.add(l.text()));
            pos += n;
            first = !first;
        }
        assertThat(got).containsExactly("USER anonymous", "PASS x", "PORT 10,10,10,2,178,12", "RETR one.bin");
    }
}
