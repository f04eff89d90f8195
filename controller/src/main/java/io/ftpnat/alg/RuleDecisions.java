package io.ftpnat.alg;

import io.ftpnat.ftp.FtpCommand;
import io.ftpnat.policy.AlgControls;
import java.util.Optional;

/**
 * The proxy rule's controls applied to one dialogue: {@code deny_commands}, {@code strict} (its
 * rules are {@link StrictInspection}'s; here they are decided, counted and logged) and
 * {@code mask_banner}. Each method that refuses or replaces something has already answered the
 * client and recorded the decision when it returns true. Used under its {@link ControlDialogue}'s
 * lock.
 */
final class RuleDecisions {
    static final String MASKED_GREETING = "220 FTP server ready.";
    static final String MASKED_SYST = "215 UNIX Type: L8";

    private final AlgControls controls;
    private final DialogueState s;

    RuleDecisions(AlgControls controls, DialogueState s) {
        this.controls = controls;
        this.s = s;
    }

    AlgControls controls() {
        return controls;
    }

    boolean strict() {
        return controls.strict();
    }

    // ---- the client's commands ----

    /** {@code deny_commands}: true when the command was refused with 502. */
    boolean denied(String verb) {
        if (!controls.denies(verb)) {
            return false;
        }
        s.denied++;
        s.decide("denied " + verb);
        s.refuse("502 Command not allowed by policy.", "sent " + verb + ", which the rule's deny_commands lists");
        return true;
    }

    /**
     * {@code strict}: true when the command was refused (before login, or a second data command
     * while {@code channelPending}). {@code EPSV ALL} opens no channel, so it is never the second.
     */
    boolean strictRefused(FtpCommand command, boolean channelPending) {
        if (!controls.strict()) {
            return false;
        }
        String verb = command.verb();
        boolean epsvAllLine = verb.equals("EPSV") && command.trimmedArgument().equalsIgnoreCase("ALL");
        Optional<StrictInspection.Refusal> no = StrictInspection.command(verb, s.loggedIn, !epsvAllLine && channelPending);
        if (no.isEmpty()) {
            return false;
        }
        s.strictRefused++;
        s.lastDecision = "strict: " + no.get().why();
        s.refuse(no.get().reply(), no.get().why() + " (strict)");
        return true;
    }

    // ---- the server's replies ----

    /** {@code strict}: true when a preliminary (1xx) reply fits no command awaited and was withheld. */
    boolean withheldPreliminary(int code) {
        if (!controls.strict() || StrictInspection.preliminaryFits(s.pending.head())) {
            return false;
        }
        s.strictRefusal("strict: withheld a " + code + " that fits no command");
        s.logRefusal("session {}: server {} sent a preliminary {} while {} awaited its reply; withheld (strict)", s.sessionId,
                Addresses.endpoint(s.at.server()), code, s.pending.head());
        return true;
    }

    /** {@code strict}: true when a final reply that answers no command was withheld (a 421 never is). */
    boolean withheldUnsolicited(int code) {
        if (!controls.strict() || code == 421) {
            return false;
        }
        s.strictRefusal("strict: withheld an unsolicited " + code);
        s.logRefusal("session {}: server {} sent a {} that answers no command; withheld (strict)", s.sessionId,
                Addresses.endpoint(s.at.server()), code);
        return true;
    }

    /**
     * {@code strict}: whether a final reply does not fit the command the server got
     * ({@code serverVerb}); recorded and logged when so. The caller withholds it.
     */
    boolean misfits(String asked, String serverVerb, int code) {
        if (!controls.strict() || StrictInspection.finalFits(serverVerb, code)) {
            return false;
        }
        s.strictRefusal("strict: withheld a " + code + " answering " + asked);
        s.logRefusal("session {}: server {} answered {} with {}, which does not fit it; withheld (strict)", s.sessionId,
                Addresses.endpoint(s.at.server()), asked, code);
        return true;
    }

    /** Whether {@code mask_banner} replaces this reply: the 220 greeting, a 215 to SYST. */
    boolean masks(String asked, int code) {
        return controls.maskBanner() && asked != null
                && ((asked.equals(ControlDialogue.GREETING) && code == 220) || (asked.equals("SYST") && code == 215));
    }

    /** {@code mask_banner}: true when the reply was replaced by the neutral one. */
    boolean masked(String asked, int code) {
        if (!masks(asked, code)) {
            return false;
        }
        boolean greeting = asked.equals(ControlDialogue.GREETING);
        s.masked++;
        s.decide("masked the " + (greeting ? "greeting" : "SYST reply"));
        s.toClient.accept((greeting ? MASKED_GREETING : MASKED_SYST) + DialogueState.CRLF);
        return true;
    }
}
