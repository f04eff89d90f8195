package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nftables restart trap, against a kernel in memory: a table removed behind the daemon's back
 * comes back, one the operator flushed does not, and a table that keeps disappearing is restored
 * at most ten times a minute.
 */
class TableRestorerTest {
    @TempDir
    Path dir;

    private final FakeKernelRuleset kernel = new FakeKernelRuleset();
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    private PolicyController applied() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        PolicyController c = new PolicyController(policy, new PolicyLoader(InterfaceCatalog.anyName()), new RulesetRenderer(), kernel);
        c.applyFile();
        return c;
    }

    private TableRestorer restorer(PolicyController c) {
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId z) { return this; }
            @Override public Instant instant() { return now; }
        };
        return new TableRestorer(c, "ftpnat", clock);
    }

    @Test
    void aTableRemovedBySomeoneElseComesBackAsItWas() throws Exception {
        PolicyController c = applied();
        var before = kernel.installed;
        kernel.installed = null; // nft flush ruleset
        restorer(c).gone("pid 7 (nft)");
        assertThat(kernel.installed).isEqualTo(before);
        assertThat(c.restoredCount()).isEqualTo(1);
    }

    @Test
    void aTableThatIsThereIsLeftAlone() throws Exception {
        PolicyController c = applied();
        restorer(c).maybeGone();
        assertThat(kernel.applies).isEqualTo(1);
        assertThat(c.restoredCount()).isZero();
    }

    @Test
    void aFlushOnPurposeIsNotUndoneUntilTheNextApply() throws Exception {
        PolicyController c = applied();
        TableRestorer r = restorer(c);
        assertThat(c.flush("ftpnat")).isTrue();
        r.gone("pid 8 (java)");
        assertThat(kernel.installed).isNull();
        assertThat(c.flushed()).isTrue();
        c.applyFile();
        assertThat(c.flushed()).isFalse();
        kernel.installed = null;
        r.gone("pid 9 (nft)");
        assertThat(kernel.installed).isNotNull();
    }

    @Test
    void restoresAreBoundedPerMinute() throws Exception {
        PolicyController c = applied();
        TableRestorer r = restorer(c);
        for (int i = 0; i < 15; i++) {
            kernel.installed = null;
            r.gone("pid 10 (loop)");
        }
        assertThat(c.restoredCount()).isEqualTo(TableRestorer.MAX_PER_WINDOW);
        assertThat(kernel.installed).isNull();
        now = now.plus(Duration.ofSeconds(61));
        r.gone("pid 10 (loop)");
        assertThat(kernel.installed).isNotNull();
    }
}
