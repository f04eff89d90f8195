package io.ftpnat.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import org.junit.jupiter.api.Test;

/** The backup's copy of the peer's sessions is bounded and forgets what the peer stopped refreshing. */
class PeerTableTest {
    static FtpControlState session(int port) {
        return new FtpControlState(Tuple.tcp("10.10.10.2", port % 60_000, "192.168.10.115", 21 + port / 60_000), SequenceAdjustments.NONE, null);
    }

    @Test
    void theOldestGoesWhenFull() {
        PeerTable t = new PeerTable();
        for (int i = 0; i <= PeerTable.MAX_ENTRIES; i++) {
            t.put(session(i), 0);
        }
        assertThat(t.size()).isEqualTo(PeerTable.MAX_ENTRIES);
        assertThat(t.evicted()).isEqualTo(1);
    }

    @Test
    void anEntryNotRefreshedIsForgotten() {
        PeerTable t = new PeerTable();
        t.put(session(1), 0);
        t.put(session(2), PeerTable.MAX_AGE_MILLIS);
        assertThat(t.live(PeerTable.MAX_AGE_MILLIS + 1)).containsExactly(session(2));
    }

    @Test
    void goneIsRemoved() {
        PeerTable t = new PeerTable();
        t.put(session(1), 0);
        t.remove(session(1).master());
        assertThat(t.live(1)).isEmpty();
    }
}
