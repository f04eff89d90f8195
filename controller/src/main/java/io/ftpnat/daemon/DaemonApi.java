package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.Version;
import io.ftpnat.api.ApiError;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.ftpnat.kernel.Capability;
import io.ftpnat.kernel.KernelCapabilities;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyProblem;
import io.ftpnat.ruleset.Ruleset;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's answers to API commands about itself and its policy (docs/api.md). */
final class DaemonApi {
    private static final Logger log = LoggerFactory.getLogger(DaemonApi.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PolicyController policies;
    private final KernelCapabilities capabilities;
    private final Instant started;
    private final EventLoss eventLoss;
    private final SessionService sessions;
    private final ServiceState state;

    DaemonApi(PolicyController policies, KernelCapabilities capabilities, Instant started, EventLoss eventLoss,
              SessionService sessions, ServiceState state) {
        this.state = state;
        this.policies = policies;
        this.capabilities = capabilities;
        this.started = started;
        this.eventLoss = eventLoss;
        this.sessions = sessions;
    }

    private java.util.function.Supplier<ObjectNode> ha;

    /** Adds the router pair's state to {@code status} (docs/ha.md). */
    void withHa(java.util.function.Supplier<ObjectNode> haStatus) {
        this.ha = haStatus;
    }

    Map<String, CommandHandler> commands() {
        Map<String, CommandHandler> m = new LinkedHashMap<>();
        m.put("status", CommandHandler.of(Role.QUERY, this::status));
        m.put("policy.show", CommandHandler.of(Role.QUERY, this::policyShow));
        m.put("policy.check", CommandHandler.of(Role.QUERY, this::policyCheck));
        m.put("policy.apply", CommandHandler.of(Role.ADMIN, this::policyApply));
        m.put("policy.flush", CommandHandler.of(Role.ADMIN, this::policyFlush));
        return m;
    }

    private void status(ApiRequest request, ResponseWriter response) throws IOException {
        ObjectNode r = JSON.objectNode();
        // starting until the policy is in the kernel and the session model rebuilt (READY=1)
        r.put("state", state.state().text());
        r.put("version", Version.current());
        r.put("pid", ProcessHandle.current().pid());
        r.put("started", started.toString());
        r.put("uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
        ObjectNode caps = r.putObject("kernel");
        for (Capability c : Capability.values()) {
            caps.put(c.id().replace(' ', '_'), !capabilities.missing().containsKey(c));
        }
        ObjectNode policy = r.putObject("policy");
        policy.put("file", policies.policyFile().toString());
        policies.current().ifPresent(p -> {
            policy.put("digest", p.ruleset().digest());
            policy.put("applied_at", p.appliedAt().toString());
            policy.put("table", "inet " + p.ruleset().table());
            policy.put("snat_rules", p.policy().snat().size());
            policy.put("dnat_rules", p.policy().dnat().size());
        });
        policy.put("applies", policies.appliedCount());
        policy.put("rejections", policies.rejectedCount());
        // the nftables restart trap: times the table was put back after someone else removed it
        policy.put("table_restores", policies.restoredCount());
        policy.put("flushed", policies.flushed());
        ObjectNode counts = r.putObject("counts");
        // The kernel's own counters for this network namespace: cheap, no dump.
        counts.put("conntrack_entries", procNumber("/proc/sys/net/netfilter/nf_conntrack_count"));
        counts.put("conntrack_max", procNumber("/proc/sys/net/netfilter/nf_conntrack_max"));
        counts.put("expectations_max", procNumber("/proc/sys/net/netfilter/nf_conntrack_expect_max"));
        counts.put("event_loss_reports", eventLoss.reports());
        if (sessions != null) {
            r.set("sessions", SessionApi.status(sessions));
        }
        if (ha != null) {
            r.set("ha", ha.get());
        }
        response.result(request, r);
    }

    private static long procNumber(String file) {
        return io.ftpnat.kernel.ProcSys.number(java.nio.file.Path.of(file));
    }

    private void policyShow(ApiRequest request, ResponseWriter response) throws IOException, ApiError {
        AppliedPolicy p = policies.current().orElseThrow(() -> new ApiError(ApiError.INTERNAL, "no policy is applied"));
        ObjectNode r = JSON.objectNode();
        r.put("file", policies.policyFile().toString());
        r.put("digest", p.ruleset().digest());
        r.put("applied_at", p.appliedAt().toString());
        r.put("policy", p.text());
        r.put("ruleset", p.ruleset().text());
        response.result(request, r);
    }

    private void policyCheck(ApiRequest request, ResponseWriter response) throws IOException, ApiError {
        String text = request.stringArg("policy");
        try {
            Ruleset ruleset = text == null ? policies.checkFile() : policies.checkText(text, label(request));
            ObjectNode r = JSON.objectNode();
            r.put("valid", true);
            r.put("digest", ruleset.digest());
            r.put("changes", policies.current().map(c -> !c.ruleset().digest().equals(ruleset.digest())).orElse(true));
            response.result(request, r);
        } catch (PolicyException e) {
            throw invalid(e);
        } catch (RulesetException e) {
            throw new ApiError(ApiError.KERNEL, e.getMessage());
        }
    }

    private void policyApply(ApiRequest request, ResponseWriter response) throws IOException, ApiError {
        String text = request.stringArg("policy");
        String before = policies.current().map(c -> c.ruleset().digest()).orElse(null);
        try {
            AppliedPolicy applied = text == null ? policies.applyFile() : policies.applyText(text, label(request));
            boolean changed = !applied.ruleset().digest().equals(before);
            log.info("policy applied through the API: {}{}", applied.describe(), changed ? "" : " (unchanged)");
            ObjectNode r = JSON.objectNode();
            r.put("changed", changed);
            r.put("digest", applied.ruleset().digest());
            if (before != null) {
                r.put("previous_digest", before);
            }
            response.result(request, r);
        } catch (PolicyException e) {
            log.warn("policy rejected through the API; the running ruleset stays:\n{}", e.getMessage());
            throw invalid(e);
        } catch (RulesetException e) {
            throw new ApiError(ApiError.KERNEL, "the kernel refused the ruleset; the running one stays: " + e.getMessage());
        } catch (java.io.IOException e) {
            // the policy file could not be written and the previous ruleset was put back: the client
            // gets that answer (an IOException here would read as a broken connection and close it)
            log.error("policy apply through the API rolled back: {}", e.getMessage());
            throw new ApiError(ApiError.INTERNAL, e.getMessage());
        }
    }

    /**
     * Removes the table on purpose ({@code ftpnatd flush}, {@code ftpnatctl policy flush}): the daemon
     * keeps running but does not put the table back until the next apply (TableRestorer).
     */
    private void policyFlush(ApiRequest request, ResponseWriter response) throws IOException, ApiError {
        AppliedPolicy p = policies.current().orElseThrow(() -> new ApiError(ApiError.INTERNAL, "no policy is applied"));
        try {
            boolean removed = policies.flush(p.ruleset().table());
            log.warn("table inet {} flushed through the API{}; FTP through the router is no longer helped until the next"
                    + " policy apply (SIGHUP, policy apply, restart)", p.ruleset().table(), removed ? "" : " (it was not there)");
            ObjectNode r = JSON.objectNode();
            r.put("removed", removed);
            r.put("table", "inet " + p.ruleset().table());
            response.result(request, r);
        } catch (RulesetException e) {
            throw new ApiError(ApiError.KERNEL, "cannot remove table inet " + p.ruleset().table() + ": " + e.getMessage());
        }
    }

    /**
     * The name the client gave its policy text (its file), for error messages and logs: cut down to
     * a file name's safe characters (no line end, quote or escape sequence reaches a log, a terminal
     * or any text of ours) and to {@link #MAX_LABEL} characters.
     */
    static String label(ApiRequest request) throws ApiError {
        String source = request.stringArg("source");
        if (source == null || source.isBlank()) {
            return "(policy sent by the client)";
        }
        String safe = source.codePoints().limit(MAX_LABEL)
                .map(c -> c < 128 && (Character.isLetterOrDigit(c) || "._/@+-".indexOf(c) >= 0) ? c : '_')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return source.codePointCount(0, source.length()) > MAX_LABEL ? safe + "..." : safe;
    }

    static final int MAX_LABEL = 100;

    private static ApiError invalid(PolicyException e) {
        return new ApiError(ApiError.INVALID_POLICY, e.getMessage());
    }


}
