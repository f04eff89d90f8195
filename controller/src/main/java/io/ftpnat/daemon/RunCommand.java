package io.ftpnat.daemon;

import io.ftpnat.alg.DataPaths;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.api.ApiServer;
import io.ftpnat.api.Authorizer;
import io.ftpnat.api.GroupDatabase;
import io.ftpnat.api.SocketConfig;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.kernel.Kernel;
import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.LinuxKernel;
import io.ftpnat.kernel.SegmentHold;
import io.ftpnat.registry.SessionRegistry;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionModel;
import java.time.Duration;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.RulesetRenderer;
import java.io.IOException;
import io.ftpnat.api.CommandHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", description = {
        "Apply the policy and keep serving it.",
        "SIGHUP re-reads the policy (a bad one is refused and the running ruleset stays); SIGTERM stops.",
        "The kernel rules stay in place on exit, so a restart never cuts a transfer; 'ftpnatd flush'",
        "removes them."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    static final String DEFAULT_GROUP = "ftpnat";

    @Mixin
    CommonOptions common;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy (YAML).")
    Path policy;

    @Option(names = "--flush-on-exit", description = "Remove the table when the daemon stops (cuts FTP through the router).")
    boolean flushOnExit;

    @Option(names = "--socket", paramLabel = "PATH", description = "The API socket (default: /run/ftpnat/ftpnat.sock).")
    Path socket = SocketConfig.DEFAULT_PATH;

    @Option(names = "--socket-group", paramLabel = "GROUP",
            description = "Group that owns the socket and may query (default: 'ftpnat' if it exists, else root only).")
    String socketGroup;

    @Option(names = "--admin-group", paramLabel = "GROUP", description = "Group that may also change the policy (default: root only).")
    String adminGroup;

    @Option(names = "--no-api", description = "Do not open the API socket.")
    boolean noApi;

    @Option(names = "--reconcile-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "How often the session model is compared with the kernel's tables (default: ${DEFAULT-VALUE});"
                    + " expectation events and lost events trigger one sooner.")
    double reconcileSeconds;

    @Option(names = "--events-buffer", paramLabel = "BYTES", defaultValue = "" + ConntrackTables.DEFAULT_EVENTS_BUFFER,
            description = "Receive buffer of the daemon's conntrack event socket (default: ${DEFAULT-VALUE}).")
    int eventsBuffer;

    @Option(names = "--metrics-listen", paramLabel = "ADDR:PORT",
            description = "Serve Prometheus metrics over HTTP at http://ADDR:PORT/metrics (off by default; the documented"
                    + " choice is " + MetricsEndpoint.DOCUMENTED_DEFAULT + "; 'ftpnatctl metrics' gives the same text).")
    String metricsListen;

    @Option(names = "--no-hold", description = "Do not hold 227/228 replies (and SYNs to addresses they advertised) until"
            + " their repair is in: a LAN client may then race the repair (docs/netlink.md, \"Holding a reply\").")
    boolean noHold;

    @Option(names = "--hold-deadline", paramLabel = "MILLIS", defaultValue = "1000",
            description = "A held reply goes on after this long even if the daemon has not read it (default: ${DEFAULT-VALUE}).")
    int holdDeadlineMillis;

    @Option(names = "--hold-queue-max", paramLabel = "N", defaultValue = "1024",
            description = "Packets held at once at most; beyond that the kernel lets them pass unheld (fail open; default: ${DEFAULT-VALUE}).")
    int holdQueueMax;

    @Option(names = "--repair-rate", paramLabel = "PER_SECOND", defaultValue = "" + SessionModel.DEFAULT_REPAIRS_PER_SECOND,
            description = "Repairs the daemon makes per second for all sessions together (twice as many at once); each session"
                    + " also has its own budget, 20 at once then 10/s. Beyond it a reply is not repaired, and that is logged and"
                    + " counted (default: ${DEFAULT-VALUE}).")
    int repairRate;

    @Option(names = "--hold-thread-nice", paramLabel = "N", defaultValue = "-10",
            description = "The nice value (-20..19) of the thread that reads the control copies and serves the hold: a held"
                    + " reply waits for it. Below 0 needs CAP_SYS_NICE or LimitNICE (the shipped unit has LimitNICE=-10);"
                    + " without either it runs at 0 and says so (default: ${DEFAULT-VALUE}).")
    int holdThreadNice;

    @Option(names = "--ha-local", paramLabel = "ADDR:PORT",
            description = "Router pairs (docs/ha.md): this router's address and port on the sync link, for ftpnatd's own"
                    + " replication of the FTP state conntrackd drops. Needs --ha-peer and --ha-key.")
    String haLocal;

    @Option(names = "--ha-peer", paramLabel = "ADDR:PORT", description = "The peer router's address and port on the sync link.")
    String haPeer;

    @Option(names = "--ha-key", paramLabel = "FILE", description = "The pair's shared key (at least 16 bytes, mode 600).")
    Path haKey;

    @Override
    public Integer call() throws Exception {
        // Type=notify: systemd learns READY=1 only once the rules are in the kernel (docs/install.md).
        try (SystemdNotifier systemd = SystemdNotifier.fromEnvironment()) {
            ServiceState state = new ServiceState(systemd);
            state.status("starting");
            int code = run(state, systemd);
            if (code != ExitCode.OK && !state.ready()) {
                state.failed(failure);
            }
            return code;
        }
    }

    /** ftpnatd's part of a router pair, when --ha-* are given (docs/ha.md); null otherwise or when they are wrong (logged). */
    private io.ftpnat.ha.HaService startHa(Kernel kernel) {
        if (haLocal == null && haPeer == null && haKey == null) {
            return null;
        }
        if (haLocal == null || haPeer == null || haKey == null) {
            log.error("--ha-local, --ha-peer and --ha-key go together");
            return null;
        }
        try {
            return io.ftpnat.ha.HaService.start(kernel.failover(), haKey,
                    io.ftpnat.ha.HaService.address(haLocal), io.ftpnat.ha.HaService.address(haPeer));
        } catch (IOException | IllegalArgumentException e) {
            log.error("HA: cannot start: {}", e.getMessage());
            return null;
        }
    }

    /** What stopped a start, for systemd's STATUS= (the log has the whole story). */
    private String failure = "start failed; see the log";

    private Integer run(ServiceState state, SystemdNotifier systemd) throws Exception {
        common.applyLogLevel();
        // A thread that dies of an Error is logged; a JVM failure (OOM, stack overflow) halts the
        // process so that systemd restarts it, instead of a daemon that is up but serves nobody.
        Thread.setDefaultUncaughtExceptionHandler(io.ftpnat.alg.Fatal::uncaught);
        Instant started = Instant.now();
        // The daemon's one boundary with the kernel: one libnftables context, one element writer.
        try (Kernel linux = LinuxKernel.open(common.table)) {
            KernelRuleset kernel = linux.ruleset();
            KernelCapabilities caps = kernel.capabilities();
            caps.warnings().forEach(log::warn);
            if (!caps.complete()) {
                failure = "the kernel lacks what ftpnatd needs; nothing was changed";
                log.error("the kernel lacks what ftpnatd needs; nothing was changed:\n{}", caps.describeMissing());
                return ExitCode.KERNEL;
            }
            log.info("kernel capabilities: {}", caps.summary());

            SignalQueue signals = new SignalQueue();
            // An interface the policy names need not exist yet (a late ppp0 at boot): nftables matches
            // names, so the rule applies once it appears. Each apply says which are missing.
            PolicyController policies = new PolicyController(policy, new PolicyLoader(InterfaceCatalog.anyName()),
                    new RulesetRenderer(common.table), kernel);
            policies.onApplied(applied -> io.ftpnat.policy.MissingInterfaces.of(applied.policy(), InterfaceCatalog.system())
                    .forEach(m -> log.warn("policy {}: {}", applied.ruleset().digest(), m)));
            Map<String, CommandHandler> commands = new LinkedHashMap<>();
            EventLoss eventLoss = new EventLoss();
            if (reconcileSeconds < 0.1 || reconcileSeconds > 86_400) {
                log.error("--reconcile-interval must be between 0.1 and 86400 seconds");
                return ExitCode.USAGE;
            }
            ConntrackTables tables = linux.tables();
            SessionService sessions = sessionService(policies, eventLoss, linux);
            io.ftpnat.ha.HaService ha = startHa(linux);
            if (ha == null && (haLocal != null || haPeer != null || haKey != null)) {
                return ExitCode.USAGE;
            }
            DaemonApi daemonApi = new DaemonApi(policies, caps, started, eventLoss, sessions, state);
            if (ha != null) {
                daemonApi.withHa(ha::status);
                commands.putAll(new HaApi(ha).commands());
            }
            commands.putAll(daemonApi.commands());
            PipelinedDump dumps = new PipelinedDump();
            commands.putAll(new ConntrackApi(tables, eventLoss, sessions.model(), dumps).commands());
            // The userspace ALG for mode: proxy rules: it starts listening with the first policy
            // that has such rules and follows every apply (docs/design/alg.md).
            java.util.concurrent.atomic.AtomicReference<ApiServer> apiRef = new java.util.concurrent.atomic.AtomicReference<>();
            DaemonMetrics[] metricsRef = new DaemonMetrics[1]; // the ALG's tables are made at its first policy, after this
            ProxyServer proxy = new ProxyServer(linux.originals(),
                    s -> new TimedDataChannelTable(DataPaths.of(linux.dataChannels(), s), metricsRef[0]),
                    java.time.Clock.systemUTC());
            DaemonMetrics metrics = new DaemonMetrics(new DaemonMetrics.Sources(state, policies, sessions, eventLoss, proxy,
                    apiRef::get, new KernelCounters()));
            metricsRef[0] = metrics;
            proxy.observe(metrics.algObserver());
            commands.putAll(new MetricsApi(metrics).commands());
            policies.onApplied(applied -> proxy.policyApplied(applied.policy()));
            commands.putAll(new ProxyApi(proxy).commands());
            SessionApi sessionApi = new SessionApi(new SessionRegistry(tables, sessions.model(), proxy::sessions), sessions);
            if (ha != null) {
                sessionApi.withFailover(ha::sessionNote);
            }
            commands.putAll(sessionApi.commands());
            // The socket is bound before the kernel is touched: a second daemon, or a socket path
            // that cannot be used, stops here with the kernel as it was.
            ApiServer api = null;
            if (!noApi) {
                try {
                    api = startApi(commands);
                    apiRef.set(api);
                } catch (IOException e) {
                    failure = "cannot open the API socket " + socket + ": " + e.getMessage();
                    log.error("cannot open the API socket {}: {}; nothing was changed", socket, e.getMessage());
                    return ExitCode.KERNEL;
                }
            }
            MetricsEndpoint endpoint = null;
            Watchdog watchdog = null;
            io.ftpnat.kernel.TableWatch tableWatch = null;
            try {
                if (metricsListen != null) {
                    try {
                        InetSocketAddress at = MetricsEndpoint.parse(metricsListen);
                        endpoint = MetricsEndpoint.start(at, metrics);
                        log.info("metrics at http://{}/metrics", metricsListen);
                    } catch (IllegalArgumentException | IOException e) {
                        failure = "cannot serve metrics at " + metricsListen + ": " + e.getMessage();
                        log.error("cannot serve metrics at {}: {}; nothing was changed", metricsListen, e.getMessage());
                        return e instanceof IllegalArgumentException ? ExitCode.USAGE : ExitCode.KERNEL;
                    }
                }
                // Pings only while the model and the policy controller answer (docs/install.md, "Watchdog").
                watchdog = Watchdog.start(systemd, java.util.List.of(
                        new Watchdog.Probe("the session model", () -> sessions.model().counters() != null),
                        new Watchdog.Probe("the policy controller", () -> policies.appliedCount() >= 0 && !reloadStuck(state)),
                        new Watchdog.Probe("the ALG", () -> proxy.sessions() != null)));
                // Subscribed before the first apply: a flush of the ruleset at any time after it is seen.
                tableWatch = watchTable(policies, linux);
                state.status("applying the policy " + policy);
                try {
                    AppliedPolicy applied = policies.applyFile();
                    // after the policy (the observer's NFLOG rules are in place) and before saying
                    // so: the model has rebuilt itself from the kernel's tables when we announce
                    state.status("policy applied; rebuilding the session model from the kernel");
                    sessions.start(Duration.ofSeconds(10));
                    log.info("policy applied from {}: {}", policy, applied.describe());
                    state.ready(serving(applied, sessions));
                } catch (PolicyException e) {
                    failure = "policy rejected, nothing applied: " + e.getMessage();
                    log.error("policy rejected, nothing applied:\n{}", e.getMessage());
                    return ExitCode.INVALID_POLICY;
                } catch (RulesetException e) {
                    failure = "policy rejected by the kernel, nothing applied: " + e.getMessage();
                    log.error("policy rejected by the kernel, nothing applied: {}", e.getMessage());
                    return ExitCode.KERNEL;
                }
                serveSignals(signals, policies, state, sessions);
                state.stopping("stopping");
            } finally {
                if (tableWatch != null) {
                    tableWatch.close();
                }
                if (watchdog != null) {
                    watchdog.close();
                }
                if (endpoint != null) {
                    endpoint.close();
                }
                proxy.close();
                if (api != null) {
                    api.close();
                }
                dumps.close();
                sessions.close();
                if (holds != null) {
                    holds.close();
                }
            }

            if (flushOnExit) {
                kernel.flush(common.table);
                log.info("stopping; table inet {} removed (--flush-on-exit)", common.table);
            } else {
                log.info("stopping; table inet {} stays in place so FTP through the router keeps working"
                        + " ('ftpnatd flush' removes it)", common.table);
            }
            return ExitCode.OK;
        }
    }

    /** The session model (docs/api.md, "The session model"), following every policy apply. */
    private SessionService sessionService(PolicyController policies, EventLoss eventLoss, Kernel kernel) {
        // Repairs never open a privileged port unless the policy in force says so (read at each plan).
        RepairPlanner planner = new RepairPlanner(() -> policies.current().filter(a -> a.policy().repairPrivilegedPorts()).isPresent()
                ? 1 : RepairPlanner.FIRST_UNPRIVILEGED_PORT);
        if (repairRate < 1 || repairRate > 100_000) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--repair-rate must be 1-100000 per second");
        }
        SessionModel model = new SessionModel(kernel.sessions(), planner, kernel.advertised(), java.time.Clock.systemUTC(), repairRate);
        // Each session is named after the rule of the policy in force whose helper it carries (logs, metrics, API).
        model.nameRulesWith(c -> policies.current().flatMap(a -> a.policy().kernelRuleFor(c.original().src(),
                c.original().dst(), c.original().dstPort())).orElse(""));
        // An apply carries the watched addresses into the new table itself (KernelRuleset.apply): no re-adding.
        SessionService sessions = new SessionService(model, kernel.tables(), kernel.control(), eventLoss,
                Duration.ofMillis((long) (reconcileSeconds * 1000)), eventsBuffer);
        holds = holdService(model, kernel);
        if (holds != null) {
            HoldService h = holds;
            sessions.holdWith(h, holdThreadNice); // served on the thread that reads the control copies
            // The queueing rule cannot be nft text on kernels without nft_queue (the xtables target): it is
            // appended over netlink after each apply; until then a reply passes unheld (fail open).
            policies.onApplied(applied -> h.installInto(common.table));
        }
        return sessions;
    }

    /** The nftables restart trap (TableRestorer); without the subscription the daemon still runs, and says so. */
    private io.ftpnat.kernel.TableWatch watchTable(PolicyController policies, Kernel kernel) {
        try {
            return kernel.watchTable(common.table,
                    new TableRestorer(policies, common.table, java.time.Clock.systemUTC()));
        } catch (io.ftpnat.nativ.netlink.NetlinkException e) {
            log.warn("cannot subscribe to nf_tables notifications ({}): a 'nft flush ruleset' will remove table inet {}"
                    + " unnoticed until the next reload", e.getMessage(), common.table);
            return null;
        }
    }

    /** The hold of replies that may need a repair (null: --no-hold, or the queue cannot be bound). */
    private HoldService holds;

    private HoldService holdService(SessionModel model, Kernel kernel) {
        if (noHold) {
            log.info("--no-hold: replies are not held until their repair is in");
            return null;
        }
        if (holdDeadlineMillis < 1 || holdDeadlineMillis > 10_000 || holdQueueMax < 1 || holdQueueMax > 65_536
                || holdThreadNice < -20 || holdThreadNice > 19) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--hold-deadline must be 1-10000 ms, --hold-queue-max 1-65536 and --hold-thread-nice -20..19");
        }
        try {
            SegmentHold hold = kernel.hold(RulesetRenderer.HOLD_QUEUE, holdQueueMax);
            HoldService h = new HoldService(hold, new io.ftpnat.session.HeldSegments(java.time.Clock.systemUTC(),
                    Duration.ofMillis(holdDeadlineMillis), holdQueueMax), model);
            h.start();
            return h;
        } catch (io.ftpnat.nativ.netlink.NetlinkException e) {
            log.error("cannot bind NFQUEUE {} ({}): replies are not held until their repair is in", RulesetRenderer.HOLD_QUEUE,
                    e.getMessage());
            return null;
        }
    }

    private ApiServer startApi(Map<String, CommandHandler> commands) throws IOException {
        GroupDatabase groups = GroupDatabase.system();
        String group = socketGroup != null ? socketGroup : groups.exists(DEFAULT_GROUP) ? DEFAULT_GROUP : null;
        SocketConfig config = new SocketConfig(socket, group, adminGroup, SocketConfig.DEFAULT_MAX_CLIENTS,
                SocketConfig.DEFAULT_MAX_LINE_BYTES);
        ApiServer api = new ApiServer(config, new Authorizer(groups, group, adminGroup), commands);
        api.start();
        return api;
    }

    /** The STATUS= line while serving: what is in force, at a glance in {@code systemctl status}. */
    private static String serving(AppliedPolicy applied, SessionService sessions) {
        var c = sessions.model().counters();
        return "serving policy " + applied.ruleset().digest() + " (" + applied.describe() + "); " + c.recovered()
                + " sessions recovered from the kernel";
    }

    /** A reload that has not finished within this long counts as wedged for the watchdog. */
    static final Duration RELOAD_STUCK = Duration.ofSeconds(60);
    private volatile long reloadStartedNanos;

    private boolean reloadStuck(ServiceState state) {
        return state.state() == ServiceState.State.RELOADING
                && System.nanoTime() - reloadStartedNanos > RELOAD_STUCK.toNanos();
    }

    private void serveSignals(SignalQueue signals, PolicyController policies, ServiceState state, SessionService sessions)
            throws InterruptedException {
        while (signals.take() == SignalQueue.Event.RELOAD) {
            reloadStartedNanos = System.nanoTime();
            state.reloading("SIGHUP: re-reading " + policy);
            log.info("SIGHUP: re-reading {}", policy);
            String before = policies.current().map(p -> p.ruleset().digest()).orElse("none");
            String outcome = "";
            try {
                AppliedPolicy next = policies.applyFile();
                log.info("policy applied from {}: {}{}", policy, next.describe(),
                        next.ruleset().digest().equals(before) ? " (unchanged)" : " (was digest " + before + ")");
            } catch (PolicyException e) {
                outcome = "; the policy file was rejected at the last SIGHUP (see the log)";
                log.error("policy rejected; the running ruleset (digest {}) stays in place:\n{}", before, e.getMessage());
            } catch (RulesetException e) {
                outcome = "; the kernel rejected the policy at the last SIGHUP (see the log)";
                log.error("policy rejected by the kernel; the running ruleset (digest {}) stays in place: {}", before, e.getMessage());
            }
            state.ready(serving(policies.current().orElseThrow(), sessions) + outcome);
        }
    }
}
