package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The contract against {@link FakeConntrackKernel} (no root needed), plus what only the fake offers. */
class FakeKernelContractTest extends ConntrackContract {
    @Override
    Backend backend() {
        FakeConntrackKernel kernel = new FakeConntrackKernel();
        return new Backend() {
            ConntrackClient client;
            ConntrackEvents events;

            @Override
            public ConntrackClient client() {
                if (client == null) {
                    client = new ConntrackClient(kernel.transport());
                }
                return client;
            }

            @Override
            public ConntrackEvents events() throws Exception {
                if (events == null) {
                    events = ConntrackEvents.subscribe(kernel.subscribe(), ConntrackEvents.ALL, 0);
                }
                return events;
            }

            @Override
            public void insert(Tuple original, int mark, int zone) {
                kernel.add(Conntrack.of(original, TcpState.ESTABLISHED, mark, zone, null));
            }

            @Override
            public Tuple masterWithHelper() {
                return kernel.add(Conntrack.of(Tuple.tcp("192.0.2.1", 33000, "192.0.2.2", 21), TcpState.ESTABLISHED, 0, 0, "ftp"))
                        .original();
            }

            @Override
            public void close() {
                if (client != null) {
                    client.close();
                }
                if (events != null) {
                    events.close();
                }
            }
        };
    }

    @Test
    void aDataConnectionConsumesTheExpectationAndShowsTheMaster() throws Exception {
        FakeConntrackKernel kernel = new FakeConntrackKernel();
        Tuple m = kernel.add(Conntrack.of(Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21), TcpState.ESTABLISHED, 0, 0, "ftp"))
                .original();
        try (ConntrackClient c = new ConntrackClient(kernel.transport())) {
            Tuple expected = Tuple.tcp("10.10.10.2", 0, "192.168.10.115", 45000);
            c.createExpectation(Expectation.create(m, expected, 300));
            Conntrack other = kernel.connect(Tuple.tcp("10.10.10.3", 5555, "192.168.10.115", 45000));
            assertThat(other.master()).as("another source does not match the mask").isNull();
            Conntrack data = kernel.connect(Tuple.tcp("10.10.10.2", 5556, "192.168.10.115", 45000));
            assertThat(data.master()).isEqualTo(m);
            assertThat(data.has(Status.EXPECTED)).isTrue();
            assertThat(c.getExpectation(expected, 0)).isEmpty();
            assertThat(c.get(data.original()).orElseThrow().master()).isEqualTo(m);
        }
    }

    @Test
    void aMonitorOnTheFakeKernelSeesSnapshotAndEvents() throws Exception {
        FakeConntrackKernel kernel = new FakeConntrackKernel();
        kernel.add(Conntrack.of(A, TcpState.ESTABLISHED, 0, 0, null));
        ConntrackMonitorIntegrationTest.Model model = new ConntrackMonitorIntegrationTest.Model();
        try (ConntrackMonitor mon = ConntrackMonitor.start(kernel.subscribe(), kernel.transport(), ConntrackEvents.ALL, 0, model);
             ConntrackClient c = new ConntrackClient(kernel.transport())) {
            for (int i = 0; i < 100 && mon.snapshots() < 1; i++) {
                Thread.sleep(10);
            }
            assertThat(model.table).containsOnlyKeys(A);
            kernel.add(Conntrack.of(B, TcpState.ESTABLISHED, 0, 0, null));
            c.delete(A, 0);
            for (int i = 0; i < 100 && !model.table.keySet().equals(java.util.Set.of(B)); i++) {
                Thread.sleep(10);
            }
        }
        assertThat(model.table).containsOnlyKeys(B);
    }
}
