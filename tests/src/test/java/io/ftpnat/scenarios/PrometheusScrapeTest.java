package io.ftpnat.scenarios;

import static io.ftpnat.lab.Requirement.require;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.lab.BackgroundProcess;
import io.ftpnat.lab.ClientRun;
import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.DataMode;
import io.ftpnat.lab.FtpJob;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An operator's Prometheus (Debian's prometheus package) scrapes ftpnatd on the router, and the
 * values it stores are what the router did.
 *
 * <pre>
 *   client 10.10.10.2 ──(r0) router ──(r1) server 192.168.10.115:21 (vsftpd)
 *                           ftpnatd run --metrics-listen 127.0.0.1:9121
 *                           prometheus (127.0.0.1:9090, scrapes every second, the example alerting rules loaded)
 * </pre>
 *
 * The policy has one rule of each mode: the SNAT rule {@code lan} uses the kernel helper, the DNAT
 * rule {@code published} the daemon's ALG. curl downloads once through each (PORT to the server
 * through the SNAT, PASV to the published address through the ALG); then the test asks
 * Prometheus' HTTP API, as a dashboard would, and checks the scrape with {@code promtool check
 * metrics}. Prometheus keeps its storage in the lab's directory, removed with the lab.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeTest {
    static final int METRICS_PORT = 9121;
    static final int PROMETHEUS_PORT = 9090;
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+|[0-9a-f]*:[0-9a-f]*:[0-9a-f:]*");
    static final String POLICY = String.join("\n",
            "version: 1",
            "control_ports: [21]",
            "snat:",
            "  - name: lan",
            "    source: 10.10.10.0/24",
            "    out_interface: r1",
            "    to: masquerade",
            "    mode: kernel",
            "dnat:",
            "  - name: published",
            "    in_interface: r0",
            "    destination: 10.10.10.1",
            "    port: 21",
            "    to: 192.168.10.115",
            "    mode: proxy",
            "");

    private final ObjectMapper json = new ObjectMapper();
    private ReferenceLab ref;
    private ClientRun throughAlg;
    private ClientRun throughHelper;

    @BeforeAll
    void up() throws Exception {
        LabAssumptions.assumeDaemon();
        LabAssumptions.assumeServer(ServerKind.VSFTPD);
        require(Cmd.onPath("prometheus") && Cmd.onPath("promtool"), "Debian's prometheus package (prometheus, promtool):"
                + " run scripts/install-deps");
        ref = ReferenceLab.create();
        ref.startServer(ServerKind.VSFTPD, 21);
        Path dir = ref.lab().dir("prometheus");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        ref.startDaemon(policy, "--metrics-listen", "127.0.0.1:" + METRICS_PORT);

        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + ProjectHome.example("prometheus-alerts.yml"),
                "scrape_configs:",
                "  - job_name: ftpnat",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + METRICS_PORT + "']",
                ""));
        BackgroundProcess prometheus = ref.lab().own(ref.lab().router().start("prometheus", dir.resolve("prometheus.log"),
                "prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT, "--storage.tsdb.retention.time=1h"));
        prometheus.awaitLine(Pattern.compile("Server is ready to receive web requests"), WAIT);

        throughAlg = ref.run(ref.curl(), FtpJob.download(ref.server(), ROUTER_INSIDE_V4, DataMode.PASV, "one.bin"));
        throughHelper = ref.run(ref.curl(), FtpJob.download(ref.server(), SERVER_V4, DataMode.PORT, "two.bin"));
    }

    @AfterAll
    void down() {
        if (ref != null) {
            ref.close();
        }
    }

    @Test
    void prometheusStoresWhatTheRouterDid() throws Exception {
        assertThat(throughAlg.ok()).as("PASV through the ALG\n%s\n%s", throughAlg, ref.daemon().log()).isTrue();
        assertThat(throughHelper.ok()).as("PORT through the kernel helper\n%s", throughHelper).isTrue();

        assertThat(value("up{job=\"ftpnat\"}", v -> v == 1)).isEqualTo(1);
        assertThat(value("ftpnat_up", v -> v == 1)).as("READY").isEqualTo(1);
        assertThat(value("ftpnat_sessions_total{mode=\"proxy\",rule=\"published\"}", v -> v >= 1))
                .as("the ALG's session of rule published").isEqualTo(1);
        assertThat(value("ftpnat_sessions_total{mode=\"kernel\",rule=\"lan\"}", v -> v >= 1))
                .as("the kernel helper's session of rule lan, tracked by the session model").isGreaterThanOrEqualTo(1);
        assertThat(value("ftpnat_data_channels_total{kind=\"proxied\"}", v -> v >= 1))
                .as("the PASV data channel, one nft element").isEqualTo(1);
        assertThat(value("ftpnat_data_channels_total{kind=\"expected\"}", v -> v >= 1))
                .as("the PORT data channel, the helper's expectation").isEqualTo(1);
        assertThat(value("ftpnat_data_channels_total{kind=\"relayed\"}", v -> true)).as("same family: no relay").isZero();
        assertThat(value("ftpnat_alg_command_duration_seconds_count", v -> v >= 5))
                .as("USER, PASS, TYPE, PASV, RETR... each decided by the ALG").isGreaterThanOrEqualTo(5);
        assertThat(value("ftpnat_data_channel_setup_duration_seconds_count{path=\"kernel\"}", v -> v >= 1)).isEqualTo(1);
        assertThat(value("ftpnat_policy_applies_total", v -> v == 1)).isEqualTo(1);
        assertThat(value("ftpnat_policy_rejections_total", v -> true)).isZero();
        assertThat(value("ftpnat_repairs_total{result=\"failed\"}", v -> true)).isZero();
        assertThat(value("ftpnat_conntrack_entries_limit", v -> v > 0)).isPositive();
        assertThat(value("ftpnat_conntrack_entries", v -> v >= 1)).as("at least the transfers' entries").isPositive();

        String digest = json.readTree(ctl("-o", "json", "status").out()).path("policy").path("digest").asText();
        assertThat(value("ftpnat_policy_info{digest=\"" + digest + "\"}", v -> v == 1)).as("the applied policy's digest").isEqualTo(1);

        // Bounded cardinality: no series carries an address or a port.
        JsonNode all = query("{__name__=~\"ftpnat_.*\"}");
        Set<String> labelValues = new TreeSet<>();
        all.path("data").path("result").forEach(series -> series.path("metric").fields().forEachRemaining(f -> {
            if (!f.getKey().equals("instance")) {
                labelValues.add(f.getValue().asText());
            }
        }));
        assertThat(labelValues).as("label values").isNotEmpty().noneMatch(v -> ADDRESS.matcher(v).find());

        // The example alerting rules are loaded and evaluate without error; those about the daemon do
        // not fire on this healthy router. (The table-fill ones depend on nf_conntrack_max, which is
        // the machine's, shared with whatever else runs here: they are only checked to evaluate.)
        JsonNode rules = get("/api/v1/rules");
        List<String> health = new ArrayList<>();
        rules.path("data").path("groups").forEach(g -> g.path("rules").forEach(r -> health.add(r.path("name").asText() + "="
                + r.path("health").asText() + "/" + r.path("state").asText())));
        assertThat(health).as("%s", rules).hasSize(6).allMatch(h -> h.contains("=ok/"))
                .contains("FtpnatDown=ok/inactive", "FtpnatRepairsFailing=ok/inactive", "FtpnatEventLoss=ok/inactive",
                        "FtpnatPolicyRejected=ok/inactive");
    }

    @Test
    void theScrapeIsCleanForPromtoolAndFtpnatctlGivesTheSameMetrics() {
        Cmd.Result check = ref.lab().router().exec("bash", "-c", "set -o pipefail; curl -sf http://127.0.0.1:" + METRICS_PORT
                + "/metrics | promtool check metrics");
        assertThat(check.ok()).as("promtool check metrics: %s", check).isTrue();
        assertThat(check.out() + check.err()).as("no lint problem").isBlank();

        Cmd.Result ctl = ctl("metrics");
        assertThat(ctl.ok()).as("%s", ctl).isTrue();
        Cmd.Result scrape = ref.lab().router().exec("curl", "-sf", "http://127.0.0.1:" + METRICS_PORT + "/metrics");
        assertThat(names(ctl.out())).as("ftpnatctl metrics and the HTTP scrape").isEqualTo(names(scrape.out()))
                .contains("ftpnat_sessions_total", "ftpnat_policy_info", "ftpnat_event_losses_total");
        Cmd.Result lint = Cmd.runWithInput(Duration.ofSeconds(30), ctl.out(), "promtool", "check", "metrics");
        assertThat(lint.ok() && (lint.out() + lint.err()).isBlank()).as("%s", lint).isTrue();
    }

    /**
     * The example alerting rules are valid ({@code promtool check rules}) and page in the
     * situations they are for, and not on a healthy router ({@code promtool test rules} with the
     * series in docs/examples/prometheus-alerts.test.yml).
     */
    @Test
    void theExampleAlertsAreValidAndFireWhenTheyShould() {
        Cmd.Result check = Cmd.run(Duration.ofSeconds(30), "promtool", "check", "rules",
                ProjectHome.example("prometheus-alerts.yml").toString());
        assertThat(check.ok()).as("%s", check).isTrue();
        assertThat(check.out()).contains("SUCCESS: 6 rules found");
        Cmd.Result test = Cmd.run(Duration.ofSeconds(60), "promtool", "test", "rules",
                ProjectHome.example("prometheus-alerts.test.yml").toString());
        assertThat(test.ok()).as("%s", test).isTrue();
        assertThat(test.out()).contains("SUCCESS");
    }

    /**
     * The example Grafana dashboard asks only for metrics the daemon has, and Prometheus accepts
     * each of its queries (the dashboard's variables set to match everything).
     */
    @Test
    void theExampleDashboardQueriesExistingMetrics() throws Exception {
        JsonNode dashboard = json.readTree(ProjectHome.example("grafana-dashboard.json").toFile());
        Set<String> scraped = names(ctl("metrics").out());
        List<String> exprs = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        assertThat(exprs).hasSizeGreaterThan(10);
        Pattern metric = Pattern.compile("ftpnat_[a-z_]+");
        for (String expr : exprs) {
            var m = metric.matcher(expr);
            while (m.find()) {
                String name = m.group().replaceFirst("_(bucket|count|sum)$", "");
                assertThat(scraped).as("%s in %s", name, expr).contains(name);
            }
            JsonNode answer = query(expr.replace("$instance", ".*"));
            assertThat(answer.path("status").asText()).as("%s: %s", expr, answer).isEqualTo("success");
        }
    }

    /** The metric names of a scrape (its # TYPE lines). */
    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        text.lines().filter(l -> l.startsWith("# TYPE ")).forEach(l -> names.add(l.split(" ")[2]));
        return names;
    }

    /**
     * The value of a one-series instant query, waiting (bounded) until Prometheus has scraped a
     * value that {@code settled} accepts: a scrape is every second, the test never sleeps blindly.
     */
    private double value(String promql, DoublePredicate settled) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = query(promql);
            JsonNode result = last.path("data").path("result");
            if (result.size() == 1) {
                double v = Double.parseDouble(result.get(0).path("value").get(1).asText());
                if (settled.test(v)) {
                    return v;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no settled value for " + promql + ": " + last + "\n" + ctl("metrics").out());
    }

    private JsonNode query(String promql) throws Exception {
        Cmd.Result r = ref.lab().router().exec("curl", "-sf", "--get", "--data-urlencode", "query=" + promql,
                "http://127.0.0.1:" + PROMETHEUS_PORT + "/api/v1/query");
        assertThat(r.ok()).as("%s", r).isTrue();
        return json.readTree(r.out());
    }

    private JsonNode get(String path) throws Exception {
        Cmd.Result r = ref.lab().router().exec("curl", "-sf", "http://127.0.0.1:" + PROMETHEUS_PORT + path);
        assertThat(r.ok()).as("%s", r).isTrue();
        return json.readTree(r.out());
    }

    private Cmd.Result ctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectHome.get().resolve("bin/ftpnatctl").toString(),
                "--socket", ref.daemon().socket().toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }
}
