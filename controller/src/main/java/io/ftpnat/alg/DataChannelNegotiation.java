package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static io.ftpnat.alg.DialogueState.CRLF;
import static io.ftpnat.alg.DialogueState.log;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.ftp.DataChannelSyntax;
import io.ftpnat.ftp.FtpSyntaxException;
import io.ftpnat.ftp.HostPort;
import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.Telnet;
import java.util.Optional;

/**
 * The data channel of one dialogue, negotiated on both sides: a client's PORT/EPRT/LPRT checked
 * (bounce, privileged port) and rewritten to name the router, a server's 227/228/229 checked and
 * answered with the router's port, and {@code server_data_mode} conversions, where the server is
 * asked the other mode ({@link DataModeConversion}) and the client answered in its own. Holds the
 * session's kernel channel ({@link SessionChannel}). Used under its {@link ControlDialogue}'s lock.
 */
final class DataChannelNegotiation {
    private final DialogueState s;
    private final RuleDecisions rules;
    private final SessionChannel channel;
    private final DataModeConversion conversion;

    DataChannelNegotiation(DialogueState s, RuleDecisions rules, SessionChannel channel, DataModeConversion conversion) {
        this.s = s;
        this.rules = rules;
        this.channel = channel;
        this.conversion = conversion;
    }

    SessionChannel channel() {
        return channel;
    }

    DataModeConversion conversion() {
        return conversion;
    }

    /** Whether a data channel is open or being negotiated (for {@code strict}'s one-at-a-time rule). */
    boolean pending() {
        return s.dataCommandsAwaiting > 0 || channel.current().isPresent() || conversion.pending();
    }

    // ---- the client's commands ----

    void active(String verb, String text) {
        if (s.epsvAll) {
            // RFC 2428 section 4: after EPSV ALL, everything but EPSV is refused.
            s.local("501 " + verb + " not allowed after EPSV ALL.");
            return;
        }
        if (!s.loggedIn) {
            s.local("530 Please login with USER and PASS.");
            return;
        }
        HostPort named;
        try {
            Optional<DataChannelOffer> offer = DataChannelSyntax.command(text);
            named = offer.flatMap(DataChannelOffer::hostPort).orElseThrow(() -> new FtpSyntaxException("no address"));
        } catch (FtpSyntaxException e) {
            log.info("session {}: malformed {} from {}: {}", s.sessionId, verb, Addresses.endpoint(s.at.client()), e.getMessage());
            s.local("501 Syntax error in parameters or arguments.");
            return;
        }
        if (!named.address().equals(s.at.clientAddress())) {
            // The FTP bounce attack: a data connection to a third party. Never forwarded.
            s.refusals++;
            s.logRefusal("session {}: refused {} naming {} from client {} (bounce: not the client's own address)", s.sessionId, verb,
                    named, Addresses.endpoint(s.at.client()));
            s.local("500 Illegal " + verb + " command.");
            return;
        }
        if (named.port() < 1024) {
            s.refusals++;
            s.logRefusal("session {}: refused {} naming privileged port {} from client {}", s.sessionId, verb, named.port(),
                    Addresses.endpoint(s.at.client()));
            s.local("500 Illegal " + verb + " command.");
            return;
        }
        IpAddress router = s.at.routerAddress();
        IpAddress server = s.at.serverAddress();
        if (conversion.converts(true)) {
            // server_data_mode: passive: the client's address is kept; the server is asked for a
            // passive port, and its offer joins the two (convertedOffer)
            channel.close();
            conversion.clientListens(named);
            s.forward((!server.v6() ? "PASV" : "EPSV") + CRLF, verb + ControlDialogue.CONVERTED + "PASV");
            return;
        }
        conversion.close();
        Optional<IpAddress> snat = s.at.clientView().equals(server) ? Optional.empty() : Optional.of(s.at.clientView());
        int port = channel.allocate(-1);
        if (port < 0 || !channel.open(ChannelElement.Kind.ACTIVE, new FlowKey(server, router, port), named.address(), named.port(), snat,
                port)) {
            s.local("425 Can't open data connection.");
            return;
        }
        HostPort ours = new HostPort(router, port);
        String upstream = !router.v6() ? DataChannelSyntax.formatPort(ours) : DataChannelSyntax.formatEprt(ours);
        log.debug("session {}: {} -> {}", s.sessionId, text, upstream);
        s.forward(upstream + CRLF, verb);
    }

    void passive(String verb) {
        if (s.epsvAll && !verb.equals("EPSV")) {
            s.local("501 " + verb + " not allowed after EPSV ALL.");
            return;
        }
        if (conversion.converts(false)) {
            // server_data_mode: active: the server gets a PORT naming a router port the ALG
            // listens on; its 200 opens the client's side (convertedPortTaken)
            if (!s.loggedIn) {
                s.local("530 Please login with USER and PASS.");
                return;
            }
            channel.close();
            int port = conversion.listenForServer();
            if (port < 0) {
                s.local("425 Can't open data connection.");
                return;
            }
            HostPort ours = new HostPort(s.at.routerAddress(), port);
            s.forward((!ours.address().v6() ? DataChannelSyntax.formatPort(ours) : DataChannelSyntax.formatEprt(ours))
                    + CRLF, verb + ControlDialogue.CONVERTED + "PORT");
            return;
        }
        conversion.close();
        // The server is asked in the form its family takes (every IPv4 server knows PASV); the
        // client gets its answer in the form it asked for.
        s.forward((!s.at.serverAddress().v6() ? "PASV" : "EPSV") + CRLF, verb);
    }

    // ---- the server's replies ----

    void passiveReply(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (!DialogueState.offerCode(reply.code())) {
            s.toClient.accept(Telnet.replyLine(last));
            return;
        }
        int offered = offeredPort(reply);
        if (offered < 0) {
            return;
        }
        IpAddress view = s.at.clientView();
        int port = channel.allocate(offered);
        if (port < 0 || !channel.open(ChannelElement.Kind.PASSIVE, new FlowKey(s.at.clientAddress(), view, port), s.at.serverAddress(),
                offered, Optional.of(s.at.routerAddress()), port)) {
            s.toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        answerPassive(clientVerb, port);
    }

    /** The reply to a PORT the server got as it came (rewritten): a refusal withdraws its channel. */
    void activeReply(ReplyAssembler.Reply reply, String last) {
        if (reply.code() >= 300) {
            close();
        }
        s.relay(reply, last);
    }

    /** The client's passive answer in the form it asked for, naming the address it connected to and the router's port. */
    private void answerPassive(String clientVerb, int port) {
        IpAddress view = s.at.clientView();
        HostPort ours = new HostPort(view, port);
        String answer;
        if (clientVerb.equals("EPSV")) {
            answer = DataChannelSyntax.format229(port);
        } else if (clientVerb.equals("LPSV")) {
            answer = DataChannelSyntax.format228(ours);
        } else if (!view.v6()) {
            answer = DataChannelSyntax.format227(ours);
        } else {
            close();
            answer = "425 Can't open data connection.";
        }
        s.toClient.accept(answer + CRLF);
    }

    /**
     * The port a 227/228/229 offers, checked: malformed, privileged, or (strict) naming another
     * address than the server's gives the client 425 and -1. The address itself is never used: the
     * data goes to the server the proxy talks to.
     */
    private int offeredPort(ReplyAssembler.Reply reply) {
        DataChannelOffer offer;
        try {
            offer = DataChannelSyntax.reply(reply.code(), reply.lastText()).orElseThrow();
        } catch (FtpSyntaxException e) {
            log.info("session {}: server {} sent a malformed {}: {}", s.sessionId, Addresses.endpoint(s.at.server()), reply.code(),
                    e.getMessage());
            s.toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        IpAddress server = s.at.serverAddress();
        if (rules.strict() && offer.address().filter(a -> !a.equals(server)).isPresent()) {
            s.strictRefusal("strict: refused a " + reply.code() + " naming another address than the server's");
            s.logRefusal("session {}: server {} advertised {} in its {}, not its own address; refused (strict)", s.sessionId,
                    Addresses.endpoint(s.at.server()), Addresses.text(offer.address().get()), reply.code());
            s.toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        offer.address().filter(a -> !a.equals(server)).ifPresent(a -> log.info(
                "session {}: server {} advertised {} in its {}; using the server's own address", s.sessionId,
                Addresses.endpoint(s.at.server()), Addresses.text(a), reply.code()));
        if (offer.port() < 1024) {
            log.warn("session {}: server {} offered privileged port {}; refused", s.sessionId, Addresses.endpoint(s.at.server()),
                    offer.port());
            s.toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        return offer.port();
    }

    /** A reply to a converted data command ("PORT>PASV", "PASV>PORT"): {@code serverVerb} is what the server got. */
    void convertedReply(String clientVerb, String serverVerb, ReplyAssembler.Reply reply, String last) {
        if (serverVerb.equals("PASV")) {
            convertedOffer(clientVerb, reply, last);
        } else {
            convertedPortTaken(clientVerb, reply, last);
        }
    }

    /** server_data_mode: passive: the server's offer answers the client's PORT; the ALG joins the two. */
    private void convertedOffer(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (!DialogueState.offerCode(reply.code())) {
            conversion.close();
            s.relay(reply, last); // the server refused PASV: its refusal answers the PORT
            return;
        }
        int offered = offeredPort(reply);
        if (offered < 0 || !conversion.serverOffered(offered)) {
            conversion.close();
            if (offered >= 0) {
                s.toClient.accept("425 Can't open data connection." + CRLF);
            }
            return;
        }
        s.decide("converted " + clientVerb + " to passive towards the server");
        s.toClient.accept("200 " + clientVerb + " command successful." + CRLF);
    }

    /** server_data_mode: active: the server took the ALG's PORT; the client gets its passive answer. */
    private void convertedPortTaken(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (reply.code() != 200) {
            conversion.close();
            s.relay(reply, last);
            return;
        }
        int port = conversion.listenForClient();
        if (port < 0) {
            s.toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        s.decide("converted " + clientVerb + " to active towards the server");
        answerPassive(clientVerb, port);
    }

    /** Withdraws the data channel, plain or converted (a transfer is over, a PORT refused, the session closed). */
    void close() {
        channel.close();
        conversion.close();
    }

    /** Puts the session's kernel channel back after the table was replaced (a policy apply). */
    void reinstall() {
        channel.reinstall();
    }
}
