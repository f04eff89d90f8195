package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A hostile FTP client's bytes, shown by 'ftpnatctl session show', never drive the admin's terminal. */
class TerminalTextTest {
    @Test
    void escapeSequencesAndControlBytesAreShownNotObeyed() {
        assertThat(TerminalText.of("USER \u001b]0;owned\u0007\u001b[2J")).isEqualTo("USER \\x1b]0;owned\\x07\\x1b[2J");
        assertThat(TerminalText.of("RETR a\rPASS hidden\n")).isEqualTo("RETR a\\x0dPASS hidden\\x0a");
        assertThat(TerminalText.of("\u009b31m C1 CSI")).isEqualTo("\\x9b31m C1 CSI");
        assertThat(TerminalText.of("x\u2028y\ud800")).isEqualTo("x\\u2028y\\ud800");
    }

    @Test
    void ordinaryTextIsUntouched() {
        String s = "227 Entering Passive Mode (192,168,10,115,156,64). Grüße 😀";
        assertThat(TerminalText.of(s)).isSameAs(s);
    }
}
