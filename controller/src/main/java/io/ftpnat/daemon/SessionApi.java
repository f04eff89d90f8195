package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.api.ApiError;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.registry.ObservedSession;
import io.ftpnat.registry.Session;
import io.ftpnat.registry.SessionRegistry;
import io.ftpnat.session.SessionCounters;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sessions} and {@code session.show} (docs/api.md), read from the session registry only:
 * the kernel's FTP control connections (read afresh, as before) with the session model's view of
 * each (id, dialogue, data channels, repairs, diagnosis), then the ALG's proxied sessions.
 */
final class SessionApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static final java.time.Duration READY_WAIT = java.time.Duration.ofSeconds(10);

    private final SessionRegistry registry;
    private final SessionService service;

    SessionApi(SessionRegistry registry, SessionService service) {
        this.registry = registry;
        this.service = service;
    }

    /** Router pairs: what a failover does to a session (docs/ha.md); null without --ha-*. */
    private java.util.function.Supplier<String> failover;

    // What scripts/ha-lab/proxy-inflight.sh measured (ProxyFailoverTest): the data connections' NAT is in
    // their conntrack entries, which conntrackd syncs, so the peer's missing nft elements do not matter;
    // what matters is whether the server-side address is one that moves (a VIP).
    static final String PROXY_NOT_MOVABLE = "not movable: its control connection ends in this router's ftpnatd (mode: proxy);"
            + " a failover ends the session. Its open data connections keep flowing when the server sees a VIP"
            + " (snat rule with to: <VIP>, or a route to the server with a VIP as source: ftpnat_ha_virtual_routes);"
            + " NATed to this router's own address they stop (docs/ha.md)";

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
        List<Session> sessions;
        try {
            sessions = registry.sessions();
        } catch (NetlinkException e) {
            throw new ApiError(ApiError.KERNEL, e.getMessage());
        }
        ResponseWriter.Stream stream = response.stream(request);
        for (Session s : sessions) {
            ObjectNode item = SessionJson.item(s);
            if (failover != null) {
                item.put("failover", s instanceof ObservedSession ? failover.get() : PROXY_NOT_MOVABLE);
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
        // an observed session as the model knows it; a proxied one as 'proxy.sessions' shows it; both with their channels
        Session session = registry.session(id.strip())
                .filter(s -> !(s instanceof ObservedSession o) || o.model().isPresent())
                .orElseThrow(() -> new ApiError(ApiError.NOT_FOUND, "no session " + id + " (it may have ended more than a minute ago)"));
        ObjectNode detail = SessionJson.detail(session);
        if (failover != null) {
            detail.put("failover", session instanceof ObservedSession ? failover.get() : PROXY_NOT_MOVABLE);
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
