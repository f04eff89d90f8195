package io.ftpnat.lab;

import java.util.List;
import java.util.Map;

/**
 * What the client saw: its exit code, the control dialogue from its own side ("> PORT …" sent,
 * "< 227 …" received), the sha256 of each downloaded file (null if missing) and the listing.
 */
public record ClientRun(String client, FtpJob job, int exit, boolean timedOut, List<String> transcript,
                        Map<String, String> sha256, String listing, String rawOutput) {

    public boolean ok() { return exit == 0 && !timedOut; }

    public List<String> sent() {
        return transcript.stream().filter(l -> l.startsWith("> ")).map(l -> l.substring(2)).toList();
    }

    public List<String> received() {
        return transcript.stream().filter(l -> l.startsWith("< ")).map(l -> l.substring(2)).toList();
    }

    /** The first command sent that starts with the verb, or null. */
    public String sentCommand(String verb) {
        return sent().stream().filter(c -> c.toUpperCase().startsWith(verb.toUpperCase())).findFirst().orElse(null);
    }

    /** The first reply received with that code ("227"), or null. */
    public String receivedReply(String code) {
        return received().stream().filter(r -> r.startsWith(code + " ")).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return client + " " + job.mode() + " " + job.authority() + " exit=" + exit + (timedOut ? " (timed out)" : "")
                + "\n" + String.join("\n", transcript) + "\n--- raw output\n" + rawOutput;
    }
}
