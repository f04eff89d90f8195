package io.ftpnat.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplyAssemblerTest {
    @Test
    void aMultiLineReplyEndsAtItsCodeAndASpace() {
        ReplyAssembler a = new ReplyAssembler(100);
        assertThat(a.add("230-Welcome")).isEmpty();
        assertThat(a.add(" 227 (1,2,3,4,5,6) inside a banner is not a reply")).isEmpty();
        assertThat(a.add("230-more")).isEmpty();
        ReplyAssembler.Reply r = a.add("230 Login successful.").orElseThrow();
        assertThat(r.code()).isEqualTo(230);
        assertThat(r.lines()).hasSize(4);
        assertThat(r.lastText()).isEqualTo("Login successful.");
        assertThat(a.add("227 Entering Passive Mode (192,168,10,115,156,84).").orElseThrow().code()).isEqualTo(227);
    }

    @Test
    void garbageIsAMalformedReplyNotASilentOne() {
        assertThat(new ReplyAssembler(10).add("hello").orElseThrow().code()).isEqualTo(-1);
    }

    @Test
    void aHugeMultiLineReplyKeepsBoundedLines() {
        ReplyAssembler a = new ReplyAssembler(5);
        a.add("211-start");
        for (int i = 0; i < 1000; i++) {
            a.add(" line " + i);
        }
        ReplyAssembler.Reply r = a.add("211 end").orElseThrow();
        assertThat(r.lines()).hasSize(5);
        assertThat(r.lastText()).isEqualTo("end");
    }
}
