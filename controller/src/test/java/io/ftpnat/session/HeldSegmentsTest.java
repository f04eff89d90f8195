package io.ftpnat.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A held 227 goes on when the model has read its NFLOG twin (whichever came first), at the latest
 * at its deadline; never more held than the bound.
 */
class HeldSegmentsTest {
    private final ManualClock clock = new ManualClock();
    private final HeldSegments held = new HeldSegments(clock, Duration.ofMillis(200), 2);

    private static TcpSegment seg(long seq, String payload) {
        return TcpSegment.decode(Packets.v4("192.168.10.115", 2121, "10.10.10.2", 40000, seq, payload)).orElseThrow();
    }

    @Test
    void aHeldReplyGoesWhenTheModelHasReadIt() {
        TcpSegment s = seg(100, "227 Entering Passive Mode (198,51,100,9,200,10)\r\n");
        assertThat(held.arrived(7, s)).isFalse();
        assertThat(held.read(seg(50, "150 Here\r\n"))).isEqualTo(-1);
        assertThat(held.read(s)).isEqualTo(7);
        assertThat(held.pendingCount()).isZero();
        assertThat(held.counters().releasedAfterRead()).isEqualTo(1);
    }

    @Test
    void aReplyReadBeforeItsHeldTwinArrivedGoesAtOnce() {
        TcpSegment s = seg(100, "228 Entering Long Passive Mode (4,4,192,168,10,115,2,200,10)\r\n");
        assertThat(held.read(s)).isEqualTo(-1);
        assertThat(held.arrived(8, s)).isTrue();
        assertThat(held.counters().releasedAtOnce()).isEqualTo(1);
    }

    @Test
    void anUnreadReplyGoesAtItsDeadline() {
        TcpSegment s = seg(100, "227 Entering Passive Mode (198,51,100,9,200,10)\r\n");
        held.arrived(9, s);
        assertThat(held.overdue()).isEmpty();
        assertThat(held.millisToNextDeadline(500)).isBetween(1, 201);
        clock.advance(Duration.ofMillis(200));
        assertThat(held.overdue()).extracting(HeldSegments.Overdue::id).containsExactly(9L);
        assertThat(held.millisToNextDeadline(500)).isEqualTo(500);
        assertThat(held.read(s)).as("read after its release: nothing to do").isEqualTo(-1);
    }

    @Test
    void neverMoreHeldThanTheBoundAndEverythingGoesOnStop() {
        assertThat(held.arrived(1, seg(1, "227 a\r\n"))).isFalse();
        assertThat(held.arrived(2, seg(2, "227 b\r\n"))).isFalse();
        assertThat(held.arrived(3, seg(3, "227 c\r\n"))).as("over the bound: at once").isTrue();
        assertThat(held.drain()).containsExactly(1L, 2L);
        assertThat(held.pendingCount()).isZero();
    }

    @Test
    void onlyRepliesTheRulesetHoldsAreRemembered() {
        assertThat(HeldSegments.holdable(seg(1, "227 x"))).isTrue();
        assertThat(HeldSegments.holdable(seg(1, "228 x"))).isTrue();
        assertThat(HeldSegments.holdable(seg(1, "229 x"))).isFalse();
        assertThat(HeldSegments.holdable(seg(1, "2270"))).isFalse();
    }
}
