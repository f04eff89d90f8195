package io.ftpnat.daemon;

import io.ftpnat.kernel.SessionKernel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.alg.AlgObserver;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.api.ApiServer;
import io.ftpnat.api.Authorizer;
import io.ftpnat.api.GroupDatabase;
import io.ftpnat.api.SocketConfig;
import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's metrics and its state as an operator reads them, without a kernel: the policy
 * controller on a fake ruleset, a session model on an empty kernel, an ALG that never listens.
 */
class DaemonMetricsTest {
    @TempDir
    Path dir;

    private final FakeKernelRuleset kernel = new FakeKernelRuleset();
    private final ServiceState state = new ServiceState(SystemdNotifier.of(Map.of(), 1));
    private PolicyController policies;
    private SessionService sessions;
    private ApiServer api;

    private DaemonMetrics metrics() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.copy(Path.of("../docs/examples/reference-lab.yaml"), policy);
        policies = new PolicyController(policy, new PolicyLoader(InterfaceCatalog.anyName()), new RulesetRenderer(), kernel);
        sessions = new SessionService(new SessionModel(new EmptyKernel(), new RepairPlanner(1024)),
                new io.ftpnat.kernel.NetlinkConntrackTables(), io.ftpnat.kernel.ControlPackets.nflog(1, 64), new EventLoss(),
                Duration.ofSeconds(10), 1 << 20);
        ProxyServer proxy = new ProxyServer((local, remote) -> java.util.Optional.empty(), s -> null, Clock.systemUTC());
        return new DaemonMetrics(new DaemonMetrics.Sources(state, policies, sessions, new EventLoss(), proxy, () -> api,
                new KernelCounters()));
    }

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
        if (sessions != null) {
            sessions.close();
        }
    }

    @Test
    void upOnlyOnceReadyAndThePolicyDigestAsAnInfoMetric() throws Exception {
        DaemonMetrics m = metrics();
        String starting = MetricsApi.text(m);
        assertThat(starting).contains("ftpnat_up 0.0").doesNotContain("ftpnat_policy_info{");
        AppliedPolicy applied = policies.applyFile();
        state.ready("serving");
        String ready = MetricsApi.text(m);
        assertThat(ready).contains("ftpnat_up 1.0").contains("ftpnat_policy_applies_total 1.0")
                .contains("ftpnat_policy_info{digest=\"" + applied.ruleset().digest() + "\",table=\"ftpnat\"} 1")
                .contains("ftpnat_policy_rules{kind=\"snat\"} 2.0")
                .contains("ftpnat_sessions_total{mode=\"kernel\",rule=\"\"} 0.0");
    }

    @Test
    void theAlgsEventsAreCountedWithBoundedLabels() throws Exception {
        DaemonMetrics m = metrics();
        AlgObserver alg = m.algObserver();
        alg.sessionStarted("published");
        alg.refused(AlgObserver.LIMIT);
        alg.commandHandled(300_000);
        m.channelInstalled(false, 2_000_000);
        m.channelInstalled(true, 2_000_000);
        String text = MetricsApi.text(m);
        assertThat(text).contains("ftpnat_sessions_total{mode=\"proxy\",rule=\"published\"} 1.0")
                .contains("ftpnat_alg_refusals_total{reason=\"limit\"} 1.0")
                .contains("ftpnat_alg_refusals_total{reason=\"no_rule\"} 0.0")
                .contains("ftpnat_alg_command_duration_seconds_count 1")
                .contains("ftpnat_alg_command_duration_seconds_bucket{le=\"5.0E-4\"} 1")
                .contains("ftpnat_data_channels_total{kind=\"proxied\"} 1.0")
                .contains("ftpnat_data_channels_total{kind=\"relayed\"} 1.0")
                .contains("ftpnat_data_channel_setup_duration_seconds_count{path=\"kernel\"} 1");
        // every counter's name ends in _total, every metric has help, and a name is typed once
        List<String> types = text.lines().filter(l -> l.startsWith("# TYPE ")).toList();
        assertThat(types).filteredOn(l -> l.endsWith(" counter")).allMatch(l -> l.split(" ")[2].endsWith("_total"));
        assertThat(text.lines().filter(l -> l.startsWith("# HELP ")).count()).isEqualTo(types.size());
        assertThat(types).doesNotHaveDuplicates();
    }

    @Test
    void statusSaysStartingUntilReady() throws Exception {
        metrics();
        Map<String, io.ftpnat.api.CommandHandler> commands = new LinkedHashMap<>(
                new DaemonApi(policies, new KernelCapabilities(Map.of(), List.of()), Instant.now(), new EventLoss(), null, state)
                        .commands());
        Path socket = dir.resolve("ftpnat.sock");
        api = new ApiServer(new SocketConfig(socket, null, null, 8, 1 << 16), new Authorizer(GroupDatabase.system(), null, null),
                commands);
        api.start();
        assertThat(status(socket).path("state").asText()).isEqualTo("starting");
        policies.applyFile();
        state.ready("serving");
        assertThat(status(socket).path("state").asText()).isEqualTo("ready");
        state.reloading("SIGHUP");
        assertThat(status(socket).path("state").asText()).isEqualTo("reloading");
    }

    private static JsonNode status(Path socket) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(ch).write("{\"cmd\":\"status\"}\n".getBytes(StandardCharsets.UTF_8));
            String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8)).readLine();
            return new ObjectMapper().readTree(line).path("result");
        }
    }

    /** A kernel with empty tables that refuses nothing. */
    private static final class EmptyKernel implements SessionKernel {
        @Override
        public void dumpConntrack(DumpConsumer<Conntrack> consumer) {
        }

        @Override
        public void dumpExpectations(DumpConsumer<Expectation> consumer) {
        }

        @Override
        public void createExpectation(Expectation e) {
        }

        @Override
        public void deleteExpectation(Tuple expected) {
        }
    }
}
