package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of one observed session, taken under the model's lock: what the model
 * knows of it and its diagnosis in the reference document's terms. A plain value: the daemon's API
 * layer renders it ({@code sessions} items and {@code session.show}).
 *
 * @param channelCount channels negotiated in all ({@code channels} holds the latest {@link FtpSession#MAX_CHANNELS})
 * @param dialogue     the latest lines, as they crossed the router ({@code > } client, {@code < } server), secrets masked
 */
public record SessionSnapshot(String id, String rule, boolean closed, boolean observed, boolean recovered, int channelCount, int repairs,
                          long clientBytes, long serverBytes, Instant since, Conntrack control, List<String> dialogue,
                          List<ObservedChannel> channels, List<Conntrack> data, List<String> notes, List<String> diagnosis) {
    public SessionSnapshot {
        dialogue = List.copyOf(dialogue);
        channels = List.copyOf(channels);
        data = List.copyOf(data);
        notes = List.copyOf(notes);
        diagnosis = List.copyOf(diagnosis);
    }

    static SessionSnapshot of(FtpSession s) {
        return new SessionSnapshot(s.id, s.rule, s.closed, s.observed(), s.recovered, s.channelCount, s.repairs, s.clientBytes,
                s.serverBytes, s.since, s.control, new ArrayList<>(s.lines), s.channelList(), new ArrayList<>(s.data),
                new ArrayList<>(s.notes), diagnose(s));
    }

    /** The latest channel negotiated, if any. */
    public Optional<ObservedChannel> latest() {
        return channels.isEmpty() ? Optional.empty() : Optional.of(channels.get(channels.size() - 1));
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
        for (ObservedChannel c : s.channels) {
            if (c.plan().source() != ChannelPlan.Source.KERNEL || c.state() == ObservedChannel.State.FAILED
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

    private static String stateSuffix(ObservedChannel c) {
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
