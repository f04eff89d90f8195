package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * lintian (Debian's package checker) on the built .deb: no error, and no warning but the ones
 * docs/install.md explains ("What lintian says").
 */
class LintianTest {
    /** Each explained in docs/install.md. */
    static final Set<String> EXPLAINED_WARNINGS = Set.of("initial-upload-closes-no-bugs");

    @Test
    void lintianFindsNoErrorAndOnlyExplainedWarnings() {
        DebianPackageTest.findPackage();
        AnsibleTools.assumeTool("lintian", "lintian");
        Cmd.Result r = Cmd.run(Duration.ofSeconds(120), "lintian", "--info", "--display-info", "--no-tag-display-limit",
                DebianPackageTest.deb.toString());
        String out = r.out() + r.err();
        List<String> tags = out.lines().filter(l -> l.matches("[EWIXPO]: ftpnat.*")).toList();
        System.out.println("--- lintian:\n" + String.join("\n", tags));
        assertThat(tags).as("lintian errors\n%s", out).noneMatch(l -> l.startsWith("E: "));
        assertThat(tags.stream().filter(l -> l.startsWith("W: ")).map(l -> l.split(" ")[2]).toList())
                .as("lintian warnings\n%s", out).allMatch(EXPLAINED_WARNINGS::contains);
        assertThat(r.exit()).as("lintian's exit code (errors only)\n%s", out).isZero();
    }
}
