package io.ftpnat.alg;

import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.Telnet;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one control dialogue remembers between lines, and the two sinks it writes to: the login,
 * {@code EPSV ALL}, the FIFO of commands awaiting replies ({@link PendingReplies}), the counts and
 * latest decision {@code session show} reports, and why the session ended.
 *
 * <p>The ordering rules live here because every part of the dialogue answers through them: an
 * answer of ours waits behind the commands before it ({@link #local}), a command sent to the
 * server joins the FIFO ({@link #forward}). Used under its {@link ControlDialogue}'s lock.
 */
final class DialogueState {
    /** The dialogue's log category, kept for every part of it: one logger to configure, as before the split. */
    static final Logger log = LoggerFactory.getLogger(ControlDialogue.class);
    static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");
    static final String CRLF = ControlDialogue.CRLF;

    final long sessionId;
    final SessionAddresses at;
    final Consumer<String> toClient;
    final Consumer<String> toServer;
    final PendingReplies pending = new PendingReplies();
    private final Clock clock;

    boolean loggedIn;
    boolean epsvAll;
    int transfers; // transfer commands awaiting their final reply
    long commands;
    long refusals;
    long denied;
    long strictRefused;
    long masked;
    int dataCommandsAwaiting; // PORT/PASV and friends sent, their reply not yet in
    String lastDecision = "";
    String endReason = "";
    Instant lastActivity;

    DialogueState(long sessionId, SessionAddresses at, Consumer<String> toClient, Consumer<String> toServer, Clock clock) {
        this.sessionId = sessionId;
        this.at = at;
        this.toClient = toClient;
        this.toServer = toServer;
        this.clock = clock;
        this.lastActivity = clock.instant();
        pending.expect(ControlDialogue.GREETING);
    }

    void touch() {
        lastActivity = clock.instant();
    }

    // ---- refusals and decisions ----

    void refuse(String reply, String why) {
        refusals++;
        logRefusal("session {}: client {} {}; refused", sessionId, Addresses.endpoint(at.client()), why);
        local(reply);
    }

    /** WARN for the first refusals of a session, then silence: a client must not be able to flood the log. */
    void logRefusal(String format, Object... args) {
        if (refusals <= ControlDialogue.LOGGED_REFUSALS) {
            log.warn(format, args);
            if (refusals == ControlDialogue.LOGGED_REFUSALS) {
                log.warn("session {}: {} refusals; further ones are counted (ftpnatctl proxy sessions), not logged", sessionId,
                        refusals);
            }
        }
    }

    void decide(String decision) {
        lastDecision = decision;
    }

    /** A refusal of {@code strict} on the server's side: counted, and in the log budget of refusals. */
    void strictRefusal(String decision) {
        strictRefused++;
        refusals++;
        lastDecision = decision;
    }

    /** The session must end: the reason for the session's log line; false for the caller to return. */
    boolean end(String reason, String logged) {
        log.warn("session {}: {}; closing", sessionId, logged);
        endReason = reason;
        return false;
    }

    // ---- what reaches the client ----

    static boolean offerCode(int code) {
        return code == 227 || code == 228 || code == 229;
    }

    /**
     * A reply that answers no passive request. A 227/228/229 among them whose text holds a digit
     * may name an address or a port (the server's own, or a malicious server steering the client):
     * withheld, whatever its form. One without ("227 Logout.") is harmless text and relayed.
     */
    void relay(ReplyAssembler.Reply reply, String last) {
        if (offerCode(reply.code()) && reply.lastText().chars().anyMatch(Character::isDigit)) {
            refusals++;
            logRefusal("session {}: server {} sent a {} that answers no passive request; withheld from the client", sessionId,
                    Addresses.endpoint(at.server()), reply.code());
            toClient.accept(reply.code() + " Reply withheld by the proxy: no passive request was waiting." + CRLF);
            return;
        }
        toClient.accept(Telnet.replyLine(last));
    }

    // ---- ordering ----

    void forward(String bytes, String verb) {
        int arrow = verb.indexOf(ControlDialogue.CONVERTED);
        if (StrictInspection.DATA_COMMANDS.contains(arrow < 0 ? verb : verb.substring(0, arrow))) {
            dataCommandsAwaiting++;
        }
        toServer.accept(bytes);
        pending.expect(verb);
    }

    void local(String reply) {
        pending.answer(reply + CRLF, toClient);
    }

    void flushLocals() {
        pending.flushOurs(toClient);
    }
}
