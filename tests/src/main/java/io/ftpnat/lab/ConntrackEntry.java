package io.ftpnat.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code conntrack -L}: the original tuple (what the client sent), the reply tuple
 * (what the router expects back — where NAT shows), and flags such as {@code helper=ftp}.
 *
 * <pre>tcp 6 431999 ESTABLISHED src=10.10.10.2 dst=10.10.10.1 sport=40000 dport=21 src=192.168.10.115
 *     dst=10.10.10.2 sport=21 dport=40000 [ASSURED] mark=0 use=1 helper=ftp</pre>
 */
public record ConntrackEntry(String line, String protocol, String state, Tuple original, Tuple reply,
                             Map<String, String> attributes) {

    public record Tuple(String src, String dst, int sport, int dport) {
        @Override
        public String toString() { return Pcap.Segment.endpoint(src, sport) + " → " + Pcap.Segment.endpoint(dst, dport); }
    }

    public static ConntrackEntry parse(String line) {
        String[] words = line.trim().split("\\s+");
        String proto = words.length > 0 ? words[0] : "";
        String state = "";
        List<Map<String, String>> tuples = new ArrayList<>();
        Map<String, String> attrs = new LinkedHashMap<>();
        Map<String, String> cur = null;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            int eq = w.indexOf('=');
            if (eq < 0) {
                if (w.matches("[A-Z_]+") && state.isEmpty()) state = w;
                else if (w.startsWith("[")) attrs.put(w.replaceAll("[\\[\\]]", ""), "");
                continue;
            }
            String k = w.substring(0, eq), v = w.substring(eq + 1);
            if (k.equals("src")) {
                cur = new LinkedHashMap<>();
                tuples.add(cur);
            }
            if (cur != null && (k.equals("src") || k.equals("dst") || k.equals("sport") || k.equals("dport"))
                    && !cur.containsKey(k)) {
                cur.put(k, v);
            } else {
                attrs.put(k, v);
            }
        }
        return new ConntrackEntry(line, proto, state, tuple(tuples, 0), tuple(tuples, 1), attrs);
    }

    private static Tuple tuple(List<Map<String, String>> ts, int i) {
        if (ts.size() <= i) return null;
        Map<String, String> t = ts.get(i);
        return new Tuple(t.get("src"), t.get("dst"), port(t.get("sport")), port(t.get("dport")));
    }

    private static int port(String s) { return s == null ? 0 : Integer.parseInt(s); }

    public String helper() { return attributes.get("helper"); }

    /** Source NAT shows as a reply destination that is not the original source. */
    public boolean sourceNatted() { return reply != null && !reply.dst().equals(original.src()); }

    /** Destination NAT shows as a reply source that is not the original destination. */
    public boolean destinationNatted() { return reply != null && !reply.src().equals(original.dst()); }

    @Override
    public String toString() { return line; }
}
