package io.ftpnat.alg;

import static io.ftpnat.alg.DialogueState.CRLF;
import static io.ftpnat.alg.DialogueState.log;

import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.Telnet;
import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.ftp.TelnetLineReader.Line;
import java.util.Optional;

/**
 * The server's side of one dialogue: lines assembled into replies ({@link ReplyAssembler}), each
 * final reply paired with the command at the head of the FIFO, and then relayed re-encoded,
 * withheld or replaced as the rule's controls and the pairing decide. Only a reply that answers a
 * PASV/EPSV/LPSV (or a converted PORT) can open a data channel. Used under its
 * {@link ControlDialogue}'s lock.
 */
final class ServerReplies {
    private final DialogueState s;
    private final RuleDecisions rules;
    private final DataChannelNegotiation data;
    private final ReplyAssembler replies = new ReplyAssembler(64);

    ServerReplies(DialogueState s, RuleDecisions rules, DataChannelNegotiation data) {
        this.s = s;
        this.rules = rules;
        this.data = data;
    }

    /** A line from the server; false when the session must end ({@link DialogueState#endReason} says why). */
    boolean take(Line line) {
        s.touch();
        if (line.overlong()) {
            return s.end("server line too long", "server " + Addresses.endpoint(s.at.server()) + " sent a line longer than the limit");
        }
        if (rules.strict() && line.flaw() != TelnetLineReader.Flaw.NONE) {
            // A server has no reason to send Telnet or control bytes; under strict they end the
            // session rather than being cleaned: the client is told, the reason is logged.
            s.strictRefusal("strict: server sent a control byte or Telnet sequence");
            s.toClient.accept("421 Service not available, closing control connection." + CRLF);
            return s.end("strict: server sent a control byte or Telnet sequence", "server " + Addresses.endpoint(s.at.server())
                    + " sent a line with a control byte or a Telnet sequence (strict)");
        }
        String text = Telnet.withoutControls(line.text());
        boolean opening = replies.openCode() < 0;
        Optional<ReplyAssembler.Reply> done = replies.add(text);
        if (done.isEmpty()) {
            int code = replies.openCode();
            // A multi-line 227/228/229 reaches the client as one line, ours: an inner line could
            // carry an address a client would take (ftplib searches the whole reply for it). A
            // masked banner's inner lines are the banner too.
            if (!DialogueState.offerCode(code) && !rules.masks(s.pending.head(), code)) {
                s.toClient.accept(Telnet.replyLine(opening ? text : ReplyAssembler.innerLine(text, code)));
            }
            return true;
        }
        ReplyAssembler.Reply reply = done.get();
        if (reply.code() < 0) {
            log.debug("session {}: server {} sent a line that is no reply; dropped", s.sessionId, Addresses.endpoint(s.at.server()));
            return true;
        }
        String last = reply.finalLine();
        if (reply.code() < 200) {
            if (!rules.withheldPreliminary(reply.code())) {
                s.relay(reply, last); // 1xx preliminary: pairs with nothing
            }
            return true;
        }
        String asked = s.pending.answered(); // room in the queue: the client's reader may go on
        if (asked == null) {
            if (!rules.withheldUnsolicited(reply.code())) {
                s.relay(reply, last); // nobody asked (a 421 before closing, say)
            }
            s.flushLocals();
            return true;
        }
        return answered(asked, reply, last);
    }

    /** A final reply paired with the command it answers ({@code asked}: its verb, or "PORT>PASV" when converted). */
    private boolean answered(String asked, ReplyAssembler.Reply reply, String last) {
        int arrow = asked.indexOf(ControlDialogue.CONVERTED);
        String clientVerb = arrow < 0 ? asked : asked.substring(0, arrow); // a converted one: what the client sent
        String serverVerb = arrow < 0 ? asked : asked.substring(arrow + ControlDialogue.CONVERTED.length()); // and what the server got
        if (StrictInspection.DATA_COMMANDS.contains(clientVerb)) {
            s.dataCommandsAwaiting = Math.max(0, s.dataCommandsAwaiting - 1);
        }
        boolean transfer = DialogueState.TRANSFERS.contains(asked);
        if (rules.misfits(asked, serverVerb, reply.code())) {
            if (transfer) {
                s.transfers = Math.max(0, s.transfers - 1);
            }
            if (transfer || StrictInspection.DATA_COMMANDS.contains(clientVerb)) {
                data.close(); // a PORT's channel is open before its reply; a transfer's is over
            }
            if (asked.equals(ControlDialogue.GREETING)) {
                s.toClient.accept("421 Service not available, closing control connection." + CRLF);
                return s.end("strict: the greeting did not fit", "server " + Addresses.endpoint(s.at.server()) + " greeted with "
                        + reply.code() + " (strict)");
            }
            s.toClient.accept("451 Reply withheld by the proxy: it did not fit the command." + CRLF);
            s.flushLocals();
            return true;
        }
        if (arrow >= 0) {
            data.convertedReply(clientVerb, serverVerb, reply, last);
            s.flushLocals();
            return true;
        }
        switch (asked) {
            case "PASV", "EPSV", "LPSV" -> data.passiveReply(asked, reply, last);
            case "PORT", "EPRT", "LPRT" -> data.activeReply(reply, last);
            case "PASS", "USER" -> {
                s.loggedIn |= reply.code() == 230;
                s.relay(reply, last);
            }
            default -> {
                if (transfer) {
                    s.transfers = Math.max(0, s.transfers - 1);
                    data.close(); // the transfer is over: the one connection it needed has come and gone
                }
                if (!rules.masked(asked, reply.code())) {
                    s.relay(reply, last);
                }
            }
        }
        s.flushLocals();
        return true;
    }
}
