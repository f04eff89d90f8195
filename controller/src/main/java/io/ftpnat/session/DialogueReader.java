package io.ftpnat.session;

import java.time.Clock;
import java.util.List;

/**
 * Reads one segment of a control connection into its session, under the model's lock: the
 * dialogue (as the kernel helper would parse it), the byte and segment counts, the problems noted,
 * and each data channel it negotiates handed to {@link Repairer#negotiated}, which adds the kernel
 * actions it calls for to the caller's list. The same for a copy read as it comes
 * ({@code SessionModel.onPacket}), a held segment ({@code readHeld}) and the early copies of a
 * session just adopted.
 */
final class DialogueReader {
    private final Clock clock;
    private final ModelCounts counts;
    private final SessionIndex index;
    private final SessionListeners listeners;
    private final Repairer repairer;

    DialogueReader(Clock clock, ModelCounts counts, SessionIndex index, SessionListeners listeners, Repairer repairer) {
        this.clock = clock;
        this.counts = counts;
        this.index = index;
        this.listeners = listeners;
        this.repairer = repairer;
    }

    /** @param micros when the kernel saw the segment (microseconds since the epoch), or -1 */
    void read(FtpSession s, TcpSegment seg, boolean fromClient, long micros, List<KernelAction> actions) {
        counts.segments++;
        s.segments++;
        index.touch(s);
        ObservedDialogue.Result result = ObservedDialogue.Result.empty();
        long gapsBefore = s.dialogue.gaps();
        s.dialogue.segment(fromClient, seg, s.client().v6(), clock.instant(), result);
        counts.gaps += s.dialogue.gaps() - gapsBefore;
        int bytes = seg.payload().length;
        if (fromClient) {
            s.clientBytes += bytes;
        } else {
            s.serverBytes += bytes;
        }
        result.lines().forEach(s::line);
        result.problems().forEach(p -> {
            s.note(p);
            listeners.emit("session-problem", s, p);
        });
        for (Negotiation n : result.negotiations()) {
            repairer.negotiated(s, n, micros, actions);
        }
    }
}
