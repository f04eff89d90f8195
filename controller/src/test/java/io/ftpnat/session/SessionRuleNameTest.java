package io.ftpnat.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.kernel.NetlinkSessionKernel;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.FakeConntrackKernel;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A kernel-mode session carries the name of the rule whose helper its control connection got, as
 * the reference lab's policy names them: the LAN client going out through SNAT rule "lan", a client
 * of the published server through DNAT rule "published".
 */
class SessionRuleNameTest {
    @Test
    void sessionsAreNamedAfterTheirRuleInViewsEventsAndCounts() throws Exception {
        Policy policy = new PolicyLoader(name -> true).load(Path.of("../docs/examples/reference-lab.yaml"));
        FakeConntrackKernel kernel = new FakeConntrackKernel();
        SessionModel model = new SessionModel(new NetlinkSessionKernel(() -> new ConntrackClient(kernel.transport())),
                new RepairPlanner(1024));
        model.nameRulesWith(c -> policy.kernelRuleFor(c.original().src(), c.original().dst(),
                c.original().dstPort()).orElse(""));
        List<SessionEvent> events = new ArrayList<>();
        model.addListener(events::add);

        model.onConntrack(kernel.add(control(1, Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21),
                Tuple.tcp("192.168.10.115", 21, "192.168.10.114", 40000), Status.SRC_NAT)));
        model.onConntrack(kernel.add(control(2, Tuple.tcp("10.10.10.2", 40001, "10.10.10.1", 21),
                Tuple.tcp("192.168.10.115", 21, "10.10.10.2", 40001), Status.DST_NAT)));
        model.onConntrack(kernel.add(control(3, Tuple.tcp("172.16.0.9", 40002, "192.168.10.115", 21),
                Tuple.tcp("192.168.10.115", 21, "172.16.0.9", 40002), Status.CONFIRMED)));

        assertThat(model.sessions()).extracting(SessionSnapshot::rule).containsExactly("lan", "published", "");
        assertThat(events).filteredOn(e -> e.type().equals("session-new")).extracting(SessionEvent::rule)
                .containsExactly("lan", "published", "");
        assertThat(model.activeByRule()).isEqualTo(Map.of("lan", 1, "published", 1, "", 1));
    }

    private static Conntrack control(long id, Tuple orig, Tuple reply, Status nat) {
        return new Conntrack(2, orig, reply, Status.CONFIRMED.mask() | Status.SEEN_REPLY.mask() | nat.mask(), TcpState.ESTABLISHED, 300,
                0, 0, "ftp", null, null, null, id, 1);
    }
}
