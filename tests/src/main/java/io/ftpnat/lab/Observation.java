package io.ftpnat.lab;

import java.util.List;

/**
 * One client session observed from every side: what the client saw (its transcript, hashes),
 * what the server saw on its wire (the control dialogue and the data connections' SYNs, captured
 * on the server's interface), and the router's conntrack table afterwards.
 */
public record Observation(ClientRun client, List<FtpDialogue> atServer, List<FtpDialogue.DataConnection> dataAtServer,
                          List<ConntrackEntry> conntrack) {

    /** Runs the job with a capture on the server's interface, conntrack flushed before. */
    public static Observation of(ReferenceLab ref, FtpClient client, FtpJob job, int serverControlPort) {
        ref.router().flushConntrack();
        List<Pcap.Segment> segments;
        ClientRun run;
        try (PacketCapture cap = ref.captureAtServer(client.name() + "-" + job.mode() + "-" + System.nanoTime())) {
            run = ref.run(client, job);
            // the server's FIN on the control connection is its last word: everything before it is in
            segments = cap.stopWhen(seen -> seen.stream().anyMatch(g -> g.sport() == serverControlPort
                    && (g.flags() & Pcap.Segment.FIN) != 0), java.time.Duration.ofSeconds(3));
        }
        return new Observation(run, FtpDialogue.from(segments, serverControlPort),
                FtpDialogue.dataConnections(segments, serverControlPort), ref.router().conntrack());
    }

    /** The (single) control dialogue the server saw. */
    public FtpDialogue serverDialogue() {
        if (atServer.size() != 1) throw new AssertionError("expected one control connection at the server, saw "
                + atServer.size() + ":\n" + atServer + "\nclient:\n" + client);
        return atServer.get(0);
    }

    /** The conntrack entries whose original destination port is the control port. */
    public List<ConntrackEntry> controlEntries(int port) {
        return conntrack.stream().filter(e -> e.original() != null && e.original().dport() == port).toList();
    }

    /** The entries of connections other than the control one (the data connections). */
    public List<ConntrackEntry> dataEntries(int controlPort) {
        return conntrack.stream().filter(e -> e.original() != null && "tcp".equals(e.protocol())
                && e.original().dport() != controlPort && e.original().sport() != controlPort).toList();
    }

    @Override
    public String toString() {
        return "client saw:\n" + client + "\nserver saw:\n" + atServer + "data connections at server: " + dataAtServer
                + "\nconntrack:\n" + String.join("\n", conntrack.stream().map(ConntrackEntry::line).toList());
    }
}
