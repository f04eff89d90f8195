package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.conntrack.FtpSessions;
import io.ftpnat.registry.DataChannel;
import io.ftpnat.registry.ObservedSession;
import io.ftpnat.registry.ProxiedSession;
import io.ftpnat.registry.Session;
import io.ftpnat.session.SessionSnapshot;
import java.util.Locale;

/**
 * The API's JSON of the session registry (docs/api.md): a {@code sessions} item of either kind,
 * the {@code session.show} detail of either, and each data channel from the registry's one
 * {@link DataChannel} value. The shapes are the API's contract;
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

    /**
     * {@code session.show}: for an observed session the summary plus the control connection,
     * dialogue, channels, data connections and notes; for a proxied one its {@code sessions} item
     * (the {@code proxy} field is what {@code proxy.sessions} shows) plus its channels.
     */
    static ObjectNode detail(Session session) {
        if (session instanceof ProxiedSession p) {
            ObjectNode detail = item(p);
            channels(detail, p);
            return detail;
        }
        ObservedSession o = (ObservedSession) session;
        SessionSnapshot s = o.model().orElseThrow(() -> new IllegalArgumentException("session " + o.id() + ": no model view to show"));
        ObjectNode detail = summary(s);
        detail.put("since", s.since().toString());
        detail.set("control", ConntrackJson.of(s.control()));
        ArrayNode lines = detail.putArray("dialogue");
        s.dialogue().forEach(lines::add);
        channels(detail, o);
        ArrayNode data = detail.putArray("data");
        s.data().forEach(d -> data.add(ConntrackJson.of(d)));
        ArrayNode notes = detail.putArray("notes");
        s.notes().forEach(notes::add);
        return detail;
    }

    private static void channels(ObjectNode detail, Session session) {
        ArrayNode channels = detail.putArray("data_channels");
        session.channels().forEach(c -> channels.add(channel(c)));
    }

    /**
     * One {@code data_channels} item, either kind: the common fields, then the kind's own
     * (docs/api.md). An observed channel keeps the field order of before: {@code number},
     * {@code negotiated}, {@code form}, {@code mode}, {@code port}, {@code by}, {@code state}, …
     */
    static ObjectNode channel(DataChannel c) {
        ObjectNode o = JSON.objectNode();
        o.put("number", c.number());
        if (c.detail() instanceof DataChannel.Negotiated n) {
            o.put("negotiated", n.line());
            o.put("form", n.form());
        }
        o.put("mode", c.direction().text());
        if (c.detail() instanceof DataChannel.Negotiated n) {
            o.put("port", n.port());
        }
        o.put("by", c.carrier().text());
        o.put("state", c.state().text());
        c.client().ifPresent(e -> o.put("client", e.toString()));
        c.server().ifPresent(e -> o.put("server", e.toString()));
        o.put("changed", c.changed().toString());
        if (c.detail() instanceof DataChannel.Negotiated n) {
            if (n.expectation().isPresent()) {
                o.set("expectation", ConntrackJson.of(n.expectation().get()));
            } else {
                n.planned().ifPresent(e -> o.set("planned_expectation", ConntrackJson.of(e)));
            }
            n.data().ifPresent(d -> o.set("data", ConntrackJson.of(d)));
            if (n.repairMicros() >= 0) {
                o.put("repair_ms", n.repairMicros() / 1000.0);
            }
        } else if (c.detail() instanceof DataChannel.Proxied p) {
            proxied(o, c, p);
        }
        o.put("note", c.note());
        return o;
    }

    /** A proxied channel's kernel element: {@code path}, {@code match}, {@code to}, {@code from} (when SNAT), {@code created}. */
    private static void proxied(ObjectNode o, DataChannel c, DataChannel.Proxied p) {
        // kernel: one nft map element, the data never passes through the daemon; relayed: mixed families
        o.put("path", c.carrier() == DataChannel.Carrier.DAEMON_RELAY ? "relayed" : "kernel");
        o.put("match", p.match());
        o.put("to", p.target().toString());
        p.snatTo().ifPresent(a -> o.put("from", a.toString()));
        o.put("created", p.created().toString());
    }

    /** The {@code channel} of a {@code proxy.sessions} item (its shape of before): {@code id}, {@code kind}, then the element. */
    static ObjectNode proxyChannel(DataChannel c) {
        if (!(c.detail() instanceof DataChannel.Proxied p)) {
            throw new IllegalArgumentException("channel " + c.number() + " is not a proxied session's");
        }
        ObjectNode o = JSON.objectNode();
        o.put("id", c.number());
        o.put("kind", c.direction().text());
        proxied(o, c, p);
        return o;
    }
}
