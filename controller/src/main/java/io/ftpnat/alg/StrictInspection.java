package io.ftpnat.alg;

import java.util.Optional;
import java.util.Set;

/**
 * The rules of {@code strict: true} (docs/policy.md), after Cisco ASA's {@code inspect ftp strict}:
 * which commands a client may send before login, which reply codes fit which command (RFC 959
 * section 5.4, "command-reply sequences", with the extensions' codes), and what counts as a data
 * command. Pure functions: {@link ControlDialogue} applies them.
 */
final class StrictInspection {
    /**
     * Before a 230: the login itself and what clients ask before it (features, system type, the
     * UTF-8 option, the RFC 7151 host). Everything else waits for the login.
     */
    static final Set<String> BEFORE_LOGIN = Set.of("USER", "PASS", "ACCT", "AUTH", "FEAT", "SYST", "QUIT", "HELP", "NOOP", "OPTS",
            "HOST", "CLNT", "LANG");
    static final Set<String> DATA_COMMANDS = Set.of("PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV");
    private static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");

    private StrictInspection() {
    }

    /** Why a command may not go to the server now, or empty when it may. */
    static Optional<Refusal> command(String verb, boolean loggedIn, boolean dataChannelPending) {
        if (!loggedIn && !BEFORE_LOGIN.contains(verb)) {
            return Optional.of(new Refusal("530 Please login with USER and PASS.", "sent " + verb + " before login"));
        }
        if (dataChannelPending && DATA_COMMANDS.contains(verb)) {
            return Optional.of(new Refusal("503 Bad sequence of commands: a data channel is already pending.",
                    "sent " + verb + " while a data channel was pending"));
        }
        return Optional.empty();
    }

    /** Whether a preliminary (1xx) reply fits the command at the head of the queue. */
    static boolean preliminaryFits(String asked) {
        return asked != null && (TRANSFERS.contains(asked) || asked.equals(ControlDialogue.GREETING));
    }

    /** Whether a final reply's code fits the command it answers ({@code asked}: its verb). */
    static boolean finalFits(String asked, int code) {
        if (code < 200 || code > 599) {
            return false;
        }
        if (asked.equals(ControlDialogue.GREETING)) {
            return code == 220 || code == 421;
        }
        if (code >= 400) {
            return true; // every command may fail
        }
        return switch (asked) {
            // the server is asked PASV or EPSV as its family needs, whatever the client sent
            case "PASV", "EPSV", "LPSV" -> code == 227 || code == 228 || code == 229;
            case "PORT", "EPRT", "LPRT" -> code == 200;
            case "USER" -> code == 230 || code == 232 || code == 331 || code == 332;
            case "PASS" -> code == 202 || code == 230 || code == 332;
            case "ACCT" -> code == 202 || code == 230;
            case "REST", "RNFR" -> code == 350;
            case "QUIT" -> code == 221;
            // no other command is answered by a passive offer or a "send more" (3xx)
            default -> code < 300 && code != 227 && code != 228 && code != 229;
        };
    }

    /** A refusal: the reply the client gets and the reason logged with the session id. */
    record Refusal(String reply, String why) {
    }
}
