package io.ftpnat.daemon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.conntrack.ConntrackLine;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Counters;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.io.IOException;
import java.util.Locale;

/** The API's JSON shape of conntrack entries and expectations (docs/api.md): the daemon's API layer, not the domain's. */
public final class ConntrackJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConntrackJson() {
    }

    public static ObjectNode of(Conntrack c) {
        ObjectNode o = JSON.objectNode();
        o.put("family", c.family() == 10 ? "ipv6" : "ipv4");
        o.put("protocol", ConntrackLine.protocolName(c.protocol()));
        if (c.tcpState() != null) {
            o.put("state", c.tcpState().name());
        }
        o.put("timeout", c.timeout());
        o.set("original", tuple(c.original()));
        o.set("reply", tuple(c.reply()));
        ArrayNode status = o.putArray("status");
        for (Status s : c.statusFlags()) {
            status.add(s.name());
        }
        o.put("mark", Integer.toUnsignedLong(c.mark()));
        o.put("zone", c.zone());
        if (c.helper() != null) {
            o.put("helper", c.helper());
        }
        if (c.master() != null) {
            o.set("master", tuple(c.master()));
        }
        counters(o, "original_counters", c.originalCounters());
        counters(o, "reply_counters", c.replyCounters());
        o.put("id", c.id());
        o.put("use", c.use());
        o.put("nat", c.has(Status.SRC_NAT) || c.has(Status.DST_NAT));
        return o;
    }

    /**
     * Writes the same object as {@link #of(Conntrack)}, field by field, without building a tree:
     * what a 100,000-entry listing streams (ConntrackJsonTest checks the two agree).
     */
    public static void write(JsonGenerator g, Conntrack c) throws IOException {
        g.writeStartObject();
        g.writeStringField("family", c.family() == 10 ? "ipv6" : "ipv4");
        g.writeStringField("protocol", ConntrackLine.protocolName(c.protocol()));
        if (c.tcpState() != null) {
            g.writeStringField("state", c.tcpState().name());
        }
        g.writeNumberField("timeout", c.timeout());
        g.writeFieldName("original");
        write(g, c.original());
        g.writeFieldName("reply");
        write(g, c.reply());
        g.writeArrayFieldStart("status");
        for (Status s : Status.values()) {
            if (s.in(c.status())) {
                g.writeString(s.name());
            }
        }
        g.writeEndArray();
        g.writeNumberField("mark", Integer.toUnsignedLong(c.mark()));
        g.writeNumberField("zone", c.zone());
        if (c.helper() != null) {
            g.writeStringField("helper", c.helper());
        }
        if (c.master() != null) {
            g.writeFieldName("master");
            write(g, c.master());
        }
        counters(g, "original_counters", c.originalCounters());
        counters(g, "reply_counters", c.replyCounters());
        g.writeNumberField("id", c.id());
        g.writeNumberField("use", c.use());
        g.writeBooleanField("nat", c.has(Status.SRC_NAT) || c.has(Status.DST_NAT));
        g.writeEndObject();
    }

    private static void write(JsonGenerator g, Tuple t) throws IOException {
        g.writeStartObject();
        g.writeStringField("src", t.src().toString());
        g.writeStringField("dst", t.dst().toString());
        g.writeStringField("protocol", ConntrackLine.protocolName(t.protocol()));
        if (t.isIcmp()) {
            g.writeNumberField("type", t.icmpType());
            g.writeNumberField("code", t.icmpCode());
            g.writeNumberField("id", t.icmpId());
        } else {
            g.writeNumberField("sport", t.srcPort());
            g.writeNumberField("dport", t.dstPort());
        }
        g.writeEndObject();
    }

    private static void counters(JsonGenerator g, String name, Counters c) throws IOException {
        if (c != null) {
            g.writeObjectFieldStart(name);
            g.writeNumberField("packets", c.packets());
            g.writeNumberField("bytes", c.bytes());
            g.writeEndObject();
        }
    }

    public static ObjectNode of(Expectation e) {
        ObjectNode o = JSON.objectNode();
        o.put("family", e.family() == 10 ? "ipv6" : "ipv4");
        o.put("timeout", e.timeout());
        o.set("master", tuple(e.master()));
        o.set("expected", tuple(e.tuple()));
        o.set("mask", tuple(e.mask()));
        if (e.helper() != null) {
            o.put("helper", e.helper());
        }
        o.put("zone", e.zone());
        ArrayNode flags = o.putArray("flags");
        if ((e.flags() & Expectation.PERMANENT) != 0) {
            flags.add("PERMANENT");
        }
        if ((e.flags() & Expectation.INACTIVE) != 0) {
            flags.add("INACTIVE");
        }
        if ((e.flags() & Expectation.USERSPACE) != 0) {
            flags.add("USERSPACE");
        }
        o.put("class", e.expectClass());
        if (e.nat() != null) {
            ObjectNode nat = o.putObject("nat");
            nat.put("direction", e.nat().direction().name().toLowerCase(Locale.ROOT));
            nat.set("tuple", tuple(e.nat().tuple()));
        }
        if (e.function() != null) {
            o.put("function", e.function());
        }
        o.put("id", e.id());
        return o;
    }

    public static ObjectNode tuple(Tuple t) {
        ObjectNode o = JSON.objectNode();
        o.put("src", t.src().toString());
        o.put("dst", t.dst().toString());
        o.put("protocol", ConntrackLine.protocolName(t.protocol()));
        if (t.isIcmp()) {
            o.put("type", t.icmpType());
            o.put("code", t.icmpCode());
            o.put("id", t.icmpId());
        } else {
            o.put("sport", t.srcPort());
            o.put("dport", t.dstPort());
        }
        return o;
    }

    private static void counters(ObjectNode o, String name, Counters c) {
        if (c != null) {
            o.putObject(name).put("packets", c.packets()).put("bytes", c.bytes());
        }
    }
}
