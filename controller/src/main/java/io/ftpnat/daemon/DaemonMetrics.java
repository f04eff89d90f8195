package io.ftpnat.daemon;

import io.ftpnat.alg.AlgObserver;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.api.ApiServer;
import io.ftpnat.session.SessionCounters;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics (docs/operations.md lists them): one registry per daemon, no
 * global state. Almost everything is read at scrape time from the counters the daemon keeps anyway
 * (the session model, the policy controller, the ALG, the API server, the kernel's /proc files);
 * only the ALG's events and latencies are counted here. Labels have bounded values: a rule name
 * from the policy, a mode, a kind, a reason, a stream; never an address or a session id.
 */
final class DaemonMetrics {
    static final double[] LATENCY_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter sessionsStarted;
    private final LongAdder proxied = new LongAdder();
    private final LongAdder relayed = new LongAdder();
    private final Counter algRefusals;
    private final Histogram commandSeconds;
    private final Histogram channelSetupSeconds;
    private final Counter channelFailures;

    /** The daemon's parts the metrics read; {@code api} may give null (--no-api). */
    record Sources(ServiceState state, PolicyController policies, SessionService sessions, EventLoss eventLoss, ProxyServer proxy,
                   Supplier<ApiServer> api, KernelCounters kernel) {
    }

    DaemonMetrics(Sources s) {
        GaugeWithCallback.builder().name("ftpnat_up").help("1 once the policy is applied and the session model rebuilt"
                        + " (READY=1), 0 while starting or reloading")
                .callback(cb -> cb.call(s.state().ready() ? 1 : 0)).register(registry);
        registry.register(() -> InfoSnapshot.builder().name("ftpnat_build").help("The daemon's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", io.ftpnat.Version.current())).build())
                .build());

        // ---- policy ----
        CounterWithCallback.builder().name("ftpnat_policy_applies").help("Policies applied (start, SIGHUP, API)")
                .callback(cb -> cb.call(s.policies().appliedCount())).register(registry);
        CounterWithCallback.builder().name("ftpnat_table_restores").help("Times the daemon applied its policy again after"
                        + " its table was removed by someone else (nft flush ruleset, a start of nftables.service)")
                .callback(cb -> cb.call(s.policies().restoredCount())).register(registry);
        CounterWithCallback.builder().name("ftpnat_policy_rejections").help("Policies refused (invalid, or refused by the kernel)")
                .callback(cb -> cb.call(s.policies().rejectedCount())).register(registry);
        GaugeWithCallback.builder().name("ftpnat_policy_applied_timestamp_seconds").unit(Unit.SECONDS)
                .help("When the policy in force was applied (Unix time)")
                .callback(cb -> s.policies().current().ifPresent(p -> cb.call(p.appliedAt().toEpochMilli() / 1000.0)))
                .register(registry);
        registry.register(() -> {
            InfoSnapshot.Builder b = InfoSnapshot.builder().name("ftpnat_policy")
                    .help("The policy in force: its ruleset digest (ftpnatctl policy show)");
            s.policies().current().ifPresent(p -> b.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                    .labels(Labels.of("digest", p.ruleset().digest(), "table", p.ruleset().table())).build()));
            return b.build();
        });
        GaugeWithCallback.builder().name("ftpnat_policy_rules").help("Rules of the policy in force, by kind")
                .labelNames("kind")
                .callback(cb -> s.policies().current().ifPresent(p -> {
                    cb.call(p.policy().snat().size(), "snat");
                    cb.call(p.policy().dnat().size(), "dnat");
                })).register(registry);

        // ---- the session model (mode kernel: the kernel helper's sessions, observed) ----
        sessionsStarted = Counter.builder().name("ftpnat_sessions").help("FTP sessions started, by mode and rule (mode kernel:"
                + " the rule whose helper the control connection carries; empty for one no rule of the policy in force names)")
                .labelNames("mode", "rule").register(registry);
        sessionsStarted.labelValues("kernel", ""); // at 0 from the start; each rule's series appears with its first session
        s.sessions().model().addListener(e -> {
            if ("session-new".equals(e.type())) {
                sessionsStarted.labelValues("kernel", e.rule()).inc();
            }
        });
        GaugeWithCallback.builder().name("ftpnat_sessions_active").help("FTP sessions now, by mode and rule: mode kernel the open"
                        + " control connections the session model tracks, mode proxy the ALG's")
                .labelNames("mode", "rule")
                .callback(cb -> {
                    s.sessions().model().activeByRule().forEach((rule, n) -> cb.call(n, "kernel", rule));
                    Map<String, Integer> byRule = new TreeMap<>();
                    s.proxy().sessions().forEach(v -> byRule.merge(v.rule(), 1, Integer::sum));
                    byRule.forEach((rule, n) -> cb.call(n, "proxy", rule));
                }).register(registry);
        CounterWithCallback.builder().name("ftpnat_data_channels")
                .help("Data channels, by kind: expected (negotiated, left to the kernel helper's expectation), repaired"
                        + " (an expectation the daemon created), proxied (ALG, forwarded by the kernel), relayed (ALG, the"
                        + " bytes pass through the daemon)")
                .labelNames("kind")
                .callback(cb -> {
                    SessionCounters c = s.sessions().model().counters();
                    cb.call(Math.max(0, c.channels() - c.refused() - c.repairs() - c.repairFailures() - c.followedToAdvertised()),
                            "expected");
                    cb.call(c.repairs() + c.followedToAdvertised(), "repaired");
                    cb.call(proxied.sum(), "proxied");
                    cb.call(relayed.sum(), "relayed");
                }).register(registry);
        CounterWithCallback.builder().name("ftpnat_repairs").help("Repairs (expectations the daemon created), by result"
                        + " and reason: data_channel (a channel the helper refused), drift (an expectation missing from the kernel)")
                .labelNames("reason", "result")
                .callback(cb -> {
                    SessionCounters c = s.sessions().model().counters();
                    cb.call(c.repairs(), "data_channel", "created");
                    cb.call(c.repairFailures(), "data_channel", "failed");
                    cb.call(c.driftMissing(), "drift", "created");
                }).register(registry);
        algRefusals = Counter.builder().name("ftpnat_alg_refusals").help("Connections the ALG turned away, by reason")
                .labelNames("reason").register(registry);
        // every reason from the start, at 0: an alert on increase() needs the series before the first event
        for (String reason : new String[] {AlgObserver.LIMIT, AlgObserver.NO_RULE, AlgObserver.SERVER_UNREACHABLE}) {
            algRefusals.labelValues(reason);
        }
        CounterWithCallback.builder().name("ftpnat_refusals").help("Data channels the daemon refused to open, by reason"
                        + " (unsafe: the kernel helper would refuse it too and the policy allows no repair)")
                .labelNames("reason")
                .callback(cb -> cb.call(s.sessions().model().counters().refused(), "unsafe")).register(registry);
        CounterWithCallback.builder().name("ftpnat_stray_expectations_removed")
                .help("Expectations the daemon removed from the kernel, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    SessionCounters c = s.sessions().model().counters();
                    cb.call(c.driftStray(), "stray");
                    cb.call(c.orphansRemoved(), "orphan");
                }).register(registry);
        CounterWithCallback.builder().name("ftpnat_expectations_seen").help("Expectation events for tracked sessions")
                .callback(cb -> cb.call(s.sessions().model().counters().kernelExpectations())).register(registry);
        CounterWithCallback.builder().name("ftpnat_reconciles").help("Comparisons of the session model with the kernel's tables")
                .callback(cb -> cb.call(s.sessions().model().counters().reconciles())).register(registry);
        CounterWithCallback.builder().name("ftpnat_resyncs").help("Full resynchronisations after lost events")
                .callback(cb -> cb.call(s.sessions().model().counters().resyncs())).register(registry);
        CounterWithCallback.builder().name("ftpnat_event_losses").help("Times the kernel dropped events or packet copies for"
                        + " the daemon (ENOBUFS), by stream: conntrack (ctnetlink events), nflog (control-channel copies)")
                .labelNames("stream")
                .callback(cb -> {
                    cb.call(s.eventLoss().reports(), "conntrack");
                    cb.call(s.sessions().observerLosses(), "nflog");
                }).register(registry);
        CounterWithCallback.builder().name("ftpnat_control_segment_gaps").help("Holes in observed control streams (resynchronised)")
                .callback(cb -> cb.call(s.sessions().model().counters().gaps())).register(registry);

        // ---- the ALG ----
        commandSeconds = Histogram.builder().name("ftpnat_alg_command_duration_seconds").unit(Unit.SECONDS)
                .help("Time the ALG takes to decide on one client command (parse, check, data channel installed)")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        channelSetupSeconds = Histogram.builder().name("ftpnat_data_channel_setup_duration_seconds").unit(Unit.SECONDS)
                .help("Time to install one ALG data channel in the kernel (one nftables transaction), by path")
                .labelNames("path").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        channelFailures = Counter.builder().name("ftpnat_data_channel_setup_failures").help("ALG data channels the kernel refused")
                .register(registry);
        GaugeWithCallback.builder().name("ftpnat_alg_listening").help("1 while the ALG listens (the policy has mode: proxy rules)")
                .callback(cb -> cb.call(s.proxy().listening() ? 1 : 0)).register(registry);

        // ---- API ----
        GaugeWithCallback.builder().name("ftpnat_api_clients").help("Clients connected to the API socket")
                .callback(cb -> {
                    ApiServer api = s.api().get();
                    if (api != null) {
                        cb.call(api.clientCount());
                    }
                }).register(registry);

        // ---- the kernel's tables (this network namespace) ----
        GaugeWithCallback.builder().name("ftpnat_conntrack_entries").help("Entries in the kernel's conntrack table")
                .callback(cb -> s.kernel().conntrackEntries().ifPresent(cb::call)).register(registry);
        GaugeWithCallback.builder().name("ftpnat_conntrack_entries_limit").help("nf_conntrack_max")
                .callback(cb -> s.kernel().conntrackMax().ifPresent(cb::call)).register(registry);
        GaugeWithCallback.builder().name("ftpnat_expectations").help("Expectations in the kernel's table (all helpers)")
                .callback(cb -> s.kernel().expectations().ifPresent(cb::call)).register(registry);
        GaugeWithCallback.builder().name("ftpnat_expectations_limit").help("nf_conntrack_expect_max")
                .callback(cb -> s.kernel().expectationsMax().ifPresent(cb::call)).register(registry);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    /** The ALG's events, counted here. */
    AlgObserver algObserver() {
        return new AlgObserver() {
            @Override
            public void sessionStarted(String rule) {
                sessionsStarted.labelValues("proxy", rule).inc();
            }

            @Override
            public void refused(String reason) {
                algRefusals.labelValues(reason).inc();
            }

            @Override
            public void commandHandled(long nanos) {
                commandSeconds.observe(nanos / 1e9);
            }
        };
    }

    /** An ALG data channel is in the kernel; {@code relayed}: its bytes pass through the daemon. */
    void channelInstalled(boolean relayedPath, long nanos) {
        (relayedPath ? relayed : proxied).increment();
        String path = relayedPath ? "relayed" : "kernel";
        channelSetupSeconds.labelValues(path).observe(nanos / 1e9);
    }

    void channelFailed() {
        channelFailures.inc();
    }
}
