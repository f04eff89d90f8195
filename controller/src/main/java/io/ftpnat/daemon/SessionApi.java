package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.api.ApiError;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.ftpnat.conntrack.FtpSessions;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.session.SessionCounters;
import io.ftpnat.session.SessionModel;
import io.ftpnat.session.SessionView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sessions} and {@code session.show} (docs/api.md): the kernel's view of each FTP control
 * connection (read afresh, as before) joined with the session model's (id, dialogue, data
 * channels, repairs, diagnosis).
 */
final class SessionApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static final java.time.Duration READY_WAIT = java.time.Duration.ofSeconds(10);

    private final ConntrackTables tables;
    private final SessionService service;
    private final java.util.function.Supplier<List<ObjectNode>> proxied;

    /**
     * @param proxied the userspace ALG's sessions (mode: proxy rules), listed after the kernel's:
     *        their control connections end in the daemon, so the kernel shows no helper on them
     */
    SessionApi(ConntrackTables tables, SessionService service, java.util.function.Supplier<List<ObjectNode>> proxied) {
        this.tables = tables;
        this.service = service;
        this.proxied = proxied;
    }

    /** Router pairs: what a failover does to a session (docs/ha.md); null without --ha-*. */
    private java.util.function.Supplier<String> failover;

    static final String PROXY_NOT_MOVABLE = "not movable: its control connection ends in this router's ftpnatd (mode: proxy);"
            + " a failover ends the session (docs/ha.md)";

    void withFailover(java.util.function.Supplier<String> kernelSessionNote) {
        this.failover = kernelSessionNote;
    }

    Map<String, CommandHandler> commands() {
        Map<String, CommandHandler> m = new LinkedHashMap<>();
        m.put("sessions", CommandHandler.of(Role.QUERY, this::sessions));
        m.put("session.show", CommandHandler.of(Role.QUERY, this::show));
        return m;
    }

    private void sessions(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        service.awaitReady(READY_WAIT);
        List<FtpSessions.Session> kernel = new ArrayList<>();
        try {
            kernel.addAll(FtpSessions.read(tables));
        } catch (NetlinkException e) {
            throw new ApiError(ApiError.KERNEL, e.getMessage());
        }
        SessionModel model = service.model();
        ResponseWriter.Stream stream = response.stream(request);
        for (FtpSessions.Session s : kernel) {
            ObjectNode item = s.toJson();
            String id = Long.toString(s.control().id());
            item.put("id", id);
            Optional<SessionView> view = model.session(id);
            view.ifPresent(v -> item.set("session", v.summary()));
            if (failover != null) {
                item.put("failover", failover.get());
            }
            stream.item(item);
        }
        for (ObjectNode p : proxied.get()) {
            ObjectNode item = JSON.objectNode();
            item.put("mode", "proxy");
            item.put("id", "proxy-" + p.path("id").asText());
            item.set("proxy", p);
            if (failover != null) {
                item.put("failover", PROXY_NOT_MOVABLE);
            }
            stream.item(item);
        }
        stream.end();
    }

    private void show(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
        String id = request.stringArg("id");
        if (id == null || id.isBlank()) {
            throw new ApiError(ApiError.BAD_REQUEST, "session.show needs 'id' (see 'sessions')");
        }
        service.awaitReady(READY_WAIT);
        SessionView v = service.model().session(id.strip())
                .orElseThrow(() -> new ApiError(ApiError.NOT_FOUND, "no session " + id + " (it may have ended more than a minute ago)"));
        ObjectNode detail = v.detail();
        if (failover != null) {
            detail.put("failover", failover.get());
        }
        response.result(request, detail);
    }

    /** The model's counters for {@code status}. */
    static ObjectNode status(SessionService service) {
        SessionCounters c = service.model().counters();
        ObjectNode o = JSON.objectNode();
        o.put("tracked", c.tracked());
        o.put("observed", c.observed());
        o.put("recovered_at_start", c.recovered());
        o.put("observed_packets", service.observedPackets());
        o.put("observer_losses", service.observerLosses());
        if (service.observerProblem() != null) {
            o.put("observer_problem", service.observerProblem());
        }
        o.put("unmatched_packets", c.unmatchedSegments());
        o.put("stream_gaps", c.gaps());
        o.put("data_channels", c.channels());
        o.put("kernel_expectations", c.kernelExpectations());
        o.put("repairs", c.repairs());
        o.put("followed_to_advertised_address", c.followedToAdvertised());
        o.put("repair_failures", c.repairFailures());
        o.put("repairs_rate_limited", c.repairsRateLimited());
        o.put("advertised_watch_failures", c.watchFailures());
        o.put("sessions_shed", c.sessionsShed());
        o.put("sessions_not_adopted", c.sessionsNotAdopted());
        o.put("refused", c.refused());
        o.put("drift_missing_repaired", c.driftMissing());
        o.put("drift_stray_removed", c.driftStray());
        o.put("orphans_removed", c.orphansRemoved());
        o.put("reconciles", c.reconciles());
        o.put("resyncs_after_loss", c.resyncs());
        o.put("events_receive_buffer", service.eventsReceiveBuffer());
        return o;
    }
}
