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
        assertThat(lines.get(1)).isEqualTo(new TelnetLineReader.Line("NOOP", false, "NOOP\r\n"));
        assertThat(r.pending()).isZero();
    }

    @Test
    void theRawLineKeepsTelnetSequencesForARelay() {
        byte[] b = {(byte) 255, (byte) 244, (byte) 255, (byte) 242, 'A', 'B', 'O', 'R', '\r', '\n'};
        List<TelnetLineReader.Line> lines = new TelnetLineReader(512).feed(b, 0, b.length);
        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.text()).isEqualTo("ABOR");
            assertThat(l.raw().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(b);
        });
    }

    @Property(tries = 300)
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
