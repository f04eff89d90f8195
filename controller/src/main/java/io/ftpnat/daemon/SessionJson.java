package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.conntrack.FtpSessions;
import io.ftpnat.registry.ObservedSession;
import io.ftpnat.registry.ProxiedSession;
import io.ftpnat.registry.Session;
import io.ftpnat.session.ObservedChannel;
import io.ftpnat.session.RepairPlanner;
import io.ftpnat.session.SessionSnapshot;
import java.util.Locale;

/**
 * The API's JSON of the session registry (docs/api.md): a {@code sessions} item of either kind,
 * and the {@code session.show} detail of an observed session. The shapes are the API's contract;
 * the registry's values know nothing of them.
 */
final class SessionJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SessionJson() {
    }

    /** One {@code sessions} item. */
    static ObjectNode item(Session session) {
        if (session instanceof ObservedSession o) {
            ObjectNode item = o.kernel().map(SessionJson::kernel).orElseGet(JSON::objectNode);
            item.put("id", o.id());
            o.model().ifPresent(m -> item.set("session", summary(m)));
            return item;
        }
        ProxiedSession p = (ProxiedSession) session;
        ObjectNode item = JSON.objectNode();
        item.put("mode", "proxy");
        item.put("id", p.id());
        item.set("proxy", ProxyApi.json(p.alg()));
        return item;
    }

    /** A control connection as the kernel's tables show it: the control entry, its expectations, its data connections. */
    static ObjectNode kernel(FtpSessions.KernelSession k) {
        ObjectNode o = JSON.objectNode();
        o.set("control", ConntrackJson.of(k.control()));
        ArrayNode ex = o.putArray("expectations");
        k.expectations().forEach(e -> ex.add(ConntrackJson.of(e)));
        ArrayNode d = o.putArray("data");
        k.data().forEach(c -> d.add(ConntrackJson.of(c)));
        return o;
    }

    /** The model's view of a session, as a {@code sessions} item carries it under {@code session}. */
    static ObjectNode summary(SessionSnapshot s) {
        ObjectNode summary = JSON.objectNode();
        summary.put("id", s.id());
        summary.put("rule", s.rule());
        summary.put("state", s.closed() ? "closed" : "open");
        summary.put("observed", s.observed());
        summary.put("recovered", s.recovered());
        summary.put("channels", s.channelCount());
        summary.put("repairs", s.repairs());
        summary.put("client_bytes", s.clientBytes());
        summary.put("server_bytes", s.serverBytes());
        s.latest().ifPresent(latest -> summary.put("last_channel",
                latest.negotiation().line() + " → " + latest.state().name().toLowerCase(Locale.ROOT)));
        ArrayNode dn = summary.putArray("diagnosis");
        s.diagnosis().forEach(dn::add);
        return summary;
    }

    /** {@code session.show}: the summary plus the control connection, dialogue, channels, data connections and notes. */
    static ObjectNode detail(SessionSnapshot s) {
        ObjectNode detail = summary(s);
        detail.put("since", s.since().toString());
        detail.set("control", ConntrackJson.of(s.control()));
        ArrayNode lines = detail.putArray("dialogue");
        s.dialogue().forEach(lines::add);
        ArrayNode channels = detail.putArray("data_channels");
        for (ObservedChannel c : s.channels()) {
            channels.add(channel(c));
        }
        ArrayNode data = detail.putArray("data");
        s.data().forEach(d -> data.add(ConntrackJson.of(d)));
        ArrayNode notes = detail.putArray("notes");
        s.notes().forEach(notes::add);
        return detail;
    }

    private static ObjectNode channel(ObservedChannel c) {
        ObjectNode o = JSON.objectNode();
        o.put("number", c.number());
        o.put("negotiated", c.negotiation().line());
        o.put("form", RepairPlanner.formName(c.negotiation().offer().form()));
        o.put("mode", c.negotiation().active() ? "active" : "passive");
        o.put("port", c.port());
        o.put("by", switch (c.plan().source()) {
            case KERNEL -> "kernel helper";
            case REPAIR -> "ftpnatd (repair)";
            case REFUSED -> "nobody";
        });
        o.put("state", c.state().name().toLowerCase(Locale.ROOT));
        if (c.expectation() != null) {
            o.set("expectation", ConntrackJson.of(c.expectation()));
        } else if (c.plan().expectation() != null) {
            o.set("planned_expectation", ConntrackJson.of(c.plan().expectation()));
        }
        if (c.data() != null) {
            o.set("data", ConntrackJson.of(c.data()));
        }
        if (c.repairMicros() >= 0) {
            o.put("repair_ms", c.repairMicros() / 1000.0);
        }
        o.put("note", c.note());
        return o;
    }
}
