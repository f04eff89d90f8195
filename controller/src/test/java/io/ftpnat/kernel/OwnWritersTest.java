package io.ftpnat.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's writer sockets and the listeners that should not be woken by them: a listener's
 * filter always lists exactly the writer sockets that are open, and a socket leaves the list
 * before it closes (a closed socket's port id may go to another process).
 */
class OwnWritersTest {
    final List<List<Integer>> filters = new ArrayList<>();
    final OwnWriters own = new OwnWriters("expectations");

    OwnWriters.Listener recording() {
        return ids -> {
            filters.add(java.util.Arrays.stream(ids).boxed().toList());
            return true;
        };
    }

    @Test
    void aListenerIgnoresTheWritersThatAreOpenAndOnlyThose() {
        own.opened(4001);
        own.listen(recording());
        assertThat(filters).containsExactly(List.of(4001));
        own.opened(4002);
        own.opened(4002); // already listed: no new program
        own.closing(4001);
        own.closing(4001);
        assertThat(filters).containsExactly(List.of(4001), List.of(4001, 4002), List.of(4002));
        own.opened(0); // a fake writer: nothing to ignore
        assertThat(filters).hasSize(3);
    }

    @Test
    void theSessionKernelsSocketIsIgnoredWhileOpenAndNoLongerOnceItFailed() throws Exception {
        own.listen(recording());
        FakeTransport transport = FakeTransport.silent();
        NetlinkSessionKernel kernel = new NetlinkSessionKernel(() -> new ConntrackClient(transport), own);
        try {
            kernel.dumpExpectations(e -> { });
        } catch (io.ftpnat.nativ.netlink.NetlinkException expected) {
            // no reply: the socket failed, and the kernel verbs closed it to start afresh
        }
        assertThat(transport.isClosed()).isTrue();
        assertThat(filters).containsExactly(List.of(), List.of(transport.portId()), List.of());
        kernel.close();
    }
}
