package io.ftpnat.lab;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One FTP control connection rebuilt from captured segments: who talked to whom, and every
 * command and reply line in order, exactly as it crossed the wire where the capture was taken.
 */
public record FtpDialogue(String client, String server, List<Message> messages) {

    /** One line of the control channel; {@code fromClient} tells the direction. */
    public record Message(double time, boolean fromClient, String text) {
        @Override
        public String toString() { return (fromClient ? "> " : "< ") + text; }
    }

    /** A data connection as its first SYN showed it (retransmissions counted once). */
    public record DataConnection(double time, String from, String to) {
        @Override
        public String toString() { return from + " → " + to; }
    }

    public List<String> commands() {
        return messages.stream().filter(Message::fromClient).map(Message::text).toList();
    }

    public List<String> replies() {
        return messages.stream().filter(m -> !m.fromClient()).map(Message::text).toList();
    }

    /** The first command starting with the verb (e.g. "PORT"), or null. */
    public String command(String verb) {
        return commands().stream().filter(c -> c.toUpperCase().startsWith(verb.toUpperCase() + " ")
                || c.equalsIgnoreCase(verb)).findFirst().orElse(null);
    }

    /** The first reply with that code (e.g. "227"), or null. */
    public String reply(String code) {
        return replies().stream().filter(r -> r.startsWith(code + " ")).findFirst().orElse(null);
    }

    /** Rebuilds the dialogues of every connection to {@code controlPort} in the segments. */
    public static List<FtpDialogue> from(List<Pcap.Segment> segments, int controlPort) {
        Map<String, List<Pcap.Segment>> byConn = new LinkedHashMap<>();
        for (Pcap.Segment s : segments) {
            if (s.dport() == controlPort) byConn.computeIfAbsent(s.from() + "|" + s.to(), k -> new ArrayList<>()).add(s);
            else if (s.sport() == controlPort) byConn.computeIfAbsent(s.to() + "|" + s.from(), k -> new ArrayList<>()).add(s);
        }
        List<FtpDialogue> out = new ArrayList<>();
        byConn.forEach((key, segs) -> {
            String[] ends = key.split("\\|");
            List<Message> msgs = new ArrayList<>();
            StringBuilder fromClient = new StringBuilder(), fromServer = new StringBuilder();
            Set<String> seen = new HashSet<>();
            for (Pcap.Segment s : segs) {
                if (s.payload().length == 0) continue;
                boolean c = s.dport() == controlPort;
                if (!seen.add((c ? "c" : "s") + s.seq())) continue; // a retransmission
                StringBuilder buf = c ? fromClient : fromServer;
                buf.append(new String(s.payload(), StandardCharsets.ISO_8859_1));
                int nl;
                while ((nl = buf.indexOf("\n")) >= 0) {
                    String line = buf.substring(0, nl).replace("\r", "");
                    buf.delete(0, nl + 1);
                    msgs.add(new Message(s.time(), c, line));
                }
            }
            out.add(new FtpDialogue(ends[0], ends[1], List.copyOf(msgs)));
        });
        return out;
    }

    /** Data connections: first SYNs of connections on neither of the control ports. */
    public static List<DataConnection> dataConnections(List<Pcap.Segment> segments, int... controlPorts) {
        List<DataConnection> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        outer:
        for (Pcap.Segment s : segments) {
            if (!s.syn()) continue;
            for (int p : controlPorts) if (s.sport() == p || s.dport() == p) continue outer;
            if (seen.add(s.from() + "|" + s.to())) out.add(new DataConnection(s.time(), s.from(), s.to()));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("control " + client + " → " + server + "\n");
        messages.forEach(m -> sb.append("  ").append(m).append('\n'));
        return sb.toString();
    }
}
