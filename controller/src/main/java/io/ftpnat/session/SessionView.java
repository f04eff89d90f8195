package io.ftpnat.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.conntrack.ConntrackJson;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An immutable snapshot of one session, taken under the model's lock, with its JSON for the API
 * ({@code sessions} items and {@code session.show}) and its diagnosis in the reference document's
 * terms.
 */
public record SessionView(String id, ObjectNode summary, ObjectNode detail, List<String> diagnosis) {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static SessionView of(FtpSession s) {
        List<String> diagnosis = diagnose(s);
        ObjectNode summary = JSON.objectNode();
        summary.put("id", s.id);
        summary.put("rule", s.rule);
        summary.put("state", s.closed ? "closed" : "open");
        summary.put("observed", s.observed());
        summary.put("recovered", s.recovered);
        summary.put("channels", s.channelCount);
        summary.put("repairs", s.repairs);
        summary.put("client_bytes", s.clientBytes);
        summary.put("server_bytes", s.serverBytes);
        DataChannel latest = s.latest();
        if (latest != null) {
            summary.put("last_channel", latest.negotiation().line() + " → " + latest.state().name().toLowerCase(Locale.ROOT));
        }
        ArrayNode dn = summary.putArray("diagnosis");
        diagnosis.forEach(dn::add);

        ObjectNode detail = summary.deepCopy();
        detail.put("since", s.since.toString());
        detail.set("control", ConntrackJson.of(s.control));
        ArrayNode lines = detail.putArray("dialogue");
        s.lines.forEach(lines::add);
        ArrayNode channels = detail.putArray("data_channels");
        for (DataChannel c : s.channels) {
            channels.add(channel(c));
        }
        ArrayNode data = detail.putArray("data");
        s.data.forEach(d -> data.add(ConntrackJson.of(d)));
        ArrayNode notes = detail.putArray("notes");
        s.notes.forEach(notes::add);
        return new SessionView(s.id, summary, detail, diagnosis);
    }

    private static ObjectNode channel(DataChannel c) {
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

    /** One sentence per thing worth knowing, latest channel last. */
    static List<String> diagnose(FtpSession s) {
        List<String> out = new ArrayList<>();
        if (s.recovered && !s.observed()) {
            out.add("recovered from the kernel tables when ftpnatd started; its dialogue before that was not seen");
        }
        if (!s.observed() && !s.recovered) {
            out.add("not observed: the control connection has the ftp helper but no ftpnat rule in mode kernel copies it");
        }
        for (DataChannel c : s.channels) {
            if (c.plan().source() != ChannelPlan.Source.KERNEL || c.state() == DataChannel.State.FAILED
                    || c.note() != null && (c.note().contains("vanished") || c.note().contains(SessionModel.KERNEL_MADE_NONE))) {
                out.add("channel " + c.number() + " (" + c.negotiation().line() + "): " + c.note()
                        + stateSuffix(c));
            }
        }
        for (String n : s.notes) {
            if (n.contains("gap") || n.contains("malformed") || n.contains("longer than") || n.contains("partial match")
                    || n.contains("repair budget") || n.contains("cannot watch")) {
                out.add(n);
            }
        }
        if (out.isEmpty()) {
            out.add(s.channelCount == 0 ? "no data channel negotiated yet" : "the kernel helper handled every data channel");
        }
        return out;
    }

    private static String stateSuffix(DataChannel c) {
        return switch (c.state()) {
            case CONNECTED -> "; the data connection came: " + flow(c.data());
            case EXPECTED -> "; waiting for the data connection";
            default -> "";
        };
    }

    private static String flow(Conntrack d) {
        return d == null ? "" : d.original().toString();
    }
}
