package io.ftpnat.alg;

import static io.ftpnat.alg.DialogueState.log;

import io.ftpnat.ftp.FtpCommand;
import io.ftpnat.ftp.TelnetLineReader.Line;
import java.util.Optional;

/**
 * The client's side of one dialogue: each line refused for its flaws (overlong, Telnet
 * negotiation, control bytes), parsed, put to the rule's controls ({@link RuleDecisions}), and then
 * answered by the ALG itself (AUTH, {@code EPSV ALL}), handed to the data-channel negotiation
 * (PORT and PASV families) or re-encoded for the server ({@link FtpCommand#wire()}). Used under its
 * {@link ControlDialogue}'s lock.
 */
final class ClientCommands {
    private final DialogueState s;
    private final RuleDecisions rules;
    private final DataChannelNegotiation data;

    ClientCommands(DialogueState s, RuleDecisions rules, DataChannelNegotiation data) {
        this.s = s;
        this.rules = rules;
        this.data = data;
    }

    /** A line from the client; false when the session must end (the queue is full: the caller did not wait for room). */
    boolean take(Line line) {
        s.touch();
        s.commands++;
        if (s.pending.full()) {
            log.warn("session {}: client {} has {} commands awaiting replies; closing", s.sessionId, Addresses.endpoint(s.at.client()),
                    s.pending.size());
            return false;
        }
        switch (line.flaw()) {
            case OVERLONG -> {
                s.refuse("500 Command line too long.", "sent a line longer than the limit");
                return true;
            }
            case NEGOTIATION -> {
                s.refuse("500 Telnet option negotiation is not supported.", "sent Telnet option negotiation");
                return true;
            }
            case MALFORMED_TELNET, CONTROL_BYTE -> {
                s.refuse("500 Control characters are not allowed in commands.", "sent a control byte or a malformed Telnet sequence");
                return true;
            }
            case NONE -> {
                // parsed below
            }
        }
        Optional<FtpCommand> parsed = FtpCommand.parse(line.text());
        if (parsed.isEmpty()) {
            s.local("500 Syntax error, command unrecognized.");
            return true;
        }
        FtpCommand command = parsed.get();
        String verb = command.verb();
        if (rules.denied(verb) || rules.strictRefused(command, data.pending())) {
            return true;
        }
        switch (verb) {
            case "PORT", "EPRT", "LPRT" -> data.active(verb, command.toString());
            // RFC 2228 (AUTH TLS/SSL): an encrypted control channel cannot be read, so no data
            // channel could be negotiated. Refused here, so a client that offers TLS falls back to
            // plain FTP (or stops, if it insists) instead of a handshake the proxy would break.
            case "AUTH" -> s.local("502 Command not implemented.");
            case "PASV", "LPSV" -> data.passive(verb);
            case "EPSV" -> {
                if (command.trimmedArgument().equalsIgnoreCase("ALL")) {
                    // Ours to answer: the proxy speaks PASV or EPSV to the server as the server's
                    // family needs, whatever the client says, so the server never sees EPSV ALL.
                    s.epsvAll = true;
                    s.local("200 EPSV ALL command successful.");
                } else {
                    data.passive(verb);
                }
            }
            default -> {
                if (DialogueState.TRANSFERS.contains(verb)) {
                    s.transfers++;
                }
                s.forward(command.wire(), verb);
            }
        }
        return true;
    }
}
