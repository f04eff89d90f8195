package io.ftpnat.alg;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.policy.PortRange;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The router's data ports, and a policy apply that changes data_ports while ports are in use. */
class PortAllocatorTest {
    @Test
    void aNewRangeServesNewChannelsAndPortsInUseStayTakenUntilReleased() {
        PortAllocator p = new PortAllocator(new PortRange(50000, 50001), new Random(1));
        int a = p.allocate(-1);
        int b = p.allocate(-1);
        assertThat(p.allocate(-1)).as("exhausted").isEqualTo(-1);
        p.retarget(new PortRange(50001, 50002));
        assertThat(p.allocate(-1)).as("the old range's port in use is not handed out again").isEqualTo(50002);
        assertThat(p.allocate(-1)).isEqualTo(-1);
        p.release(50001 == a ? a : b);
        assertThat(p.allocate(-1)).isEqualTo(50001);
        p.release(50000 == a ? a : b);
        assertThat(p.inUse()).isEqualTo(2);
    }
}
