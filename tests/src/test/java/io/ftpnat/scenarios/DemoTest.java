package io.ftpnat.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Demo;
import io.ftpnat.lab.ReferenceLab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo (scripts/demo) still tells the seed document's story: it runs here as users run it. */
class DemoTest {
    @Test
    void tellsBothTransfersMessageByMessage() throws Exception {
        LabAssumptions.assumeDaemon();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path captures = Files.createTempDirectory("ftpnat-demo-test");
        boolean ok;
        try (ReferenceLab ref = ReferenceLab.create()) {
            ok = new Demo(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(ref, captures);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(text).isTrue();
        assertThat(text)
                .containsPattern("> PORT 10,10,10,2,\\d+,\\d+ +> PORT 192,168,10,114,\\d+,\\d+ +← rewritten")
                .containsPattern("< 227 Entering Passive Mode \\(10,10,10,1,\\d+,\\d+\\)\\. +< 227 Entering Passive Mode \\(192,168,10,115,")
                .contains("[NEW]").contains("helper=ftp")
                .containsPattern("r1 \\(server side\\): +192\\.168\\.10\\.115:20 → 192\\.168\\.10\\.114:\\d+")
                .containsPattern("> EPRT \\|2\\|fd00:10::2\\|\\d+\\| +> EPRT \\|2\\|fd00:0192:0000:0000:0000:0000:0000:0114\\|\\d+\\|")
                .contains("✓ identical")
                .contains("All three transfers arrived intact.");
        assertThat(captures.resolve("active-r0.pcap")).exists();
        assertThat(captures.resolve("passive-r1.pcap")).exists();
        try (var files = Files.list(captures)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.delete(captures);
    }
}
