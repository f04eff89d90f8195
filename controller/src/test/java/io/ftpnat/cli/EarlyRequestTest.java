package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which command lines ftpnatctl sends ahead, and what it sends: only forms it can tell for certain. */
class EarlyRequestTest {
    private static Optional<EarlyRequest.Guess> guess(String... args) {
        return EarlyRequest.guess(args, "/run/env.sock");
    }

    @Test
    void statusAndUnfilteredListsAreSentAhead() {
        assertThat(guess("status")).hasValueSatisfying(g -> {
            assertThat(g.command()).isEqualTo("status");
            assertThat(g.args().isEmpty()).isTrue();
            assertThat(g.socket()).isEqualTo(Path.of("/run/env.sock"));
        });
        assertThat(guess("--socket", "/tmp/a.sock", "-o", "conntrack", "conntrack", "list")).hasValueSatisfying(g -> {
            assertThat(g.command()).isEqualTo("conntrack.list");
            assertThat(g.args().path("format").asText()).isEqualTo("conntrack");
            assertThat(g.socket()).isEqualTo(Path.of("/tmp/a.sock"));
        });
        assertThat(guess("expect", "list", "--output=json", "--socket=/tmp/b.sock")).hasValueSatisfying(g -> {
            assertThat(g.command()).isEqualTo("expect.list");
            assertThat(g.args().isEmpty()).isTrue();
            assertThat(g.socket()).isEqualTo(Path.of("/tmp/b.sock"));
        });
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        assertThat(guess()).isEmpty();
        assertThat(guess("conntrack", "list", "-p", "tcp")).isEmpty();
        assertThat(guess("conntrack", "count")).isEmpty();
        assertThat(guess("events")).isEmpty();
        assertThat(guess("policy", "apply", "x.yaml")).isEmpty();
        assertThat(guess("status", "--help")).isEmpty();
        assertThat(guess("-o", "yaml", "status")).isEmpty();
        assertThat(guess("--socket")).isEmpty();
        assertThat(guess("status", "extra")).isEmpty();
    }

    @Test
    void theDefaultSocketWithoutOptionOrEnvironment() {
        assertThat(EarlyRequest.guess(new String[] {"status"}, null)).hasValueSatisfying(
                g -> assertThat(g.socket()).isEqualTo(Path.of("/run/ftpnat/ftpnat.sock")));
    }
}
