package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A refusal flood costs the log one line per interval, and that line says how many it stands for. */
class RateLimitedLogTest {
    @Test
    void oneLinePerIntervalWithTheCountOfTheOthers() {
        Instant[] now = {Instant.parse("2026-12-01T12:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        RateLimitedLog log = new RateLimitedLog(clock, Duration.ofSeconds(10));
        assertThat(log.next()).isZero();
        for (int i = 0; i < 1000; i++) {
            assertThat(log.next()).isEqualTo(-1);
        }
        now[0] = now[0].plusSeconds(10);
        assertThat(log.next()).isEqualTo(1000);
        assertThat(log.next()).isEqualTo(-1);
    }
}
