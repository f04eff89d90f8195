package io.ftpnat.alg;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.ftp.DataChannelSyntax;
import io.ftpnat.ftp.FtpCommand;
import io.ftpnat.ftp.FtpSyntaxException;
import io.ftpnat.ftp.HostPort;
import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.Telnet;
import io.ftpnat.ftp.TelnetLineReader.Line;
import io.ftpnat.policy.AlgControls;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ALG's reading of one FTP control dialogue, without any I/O: lines from the client and
 * replies from the server go in; what to send each way comes out through two sinks, in order.
 *
 * <p>Every command sent to the server waits in a queue for its final reply (RFC 959: one per
 * command, after any 1xx), so a 227 is only taken for a passive-mode answer when a PASV/EPSV/LPSV
 * is at the head of the queue — a stray 227 opens nothing and is relayed as it came. Answers the
 * proxy gives itself (a refused bounce, {@code EPSV ALL}) take their place in the same queue, so
 * pipelined commands get their replies in order. The queue is bounded ({@link #MAX_PENDING}): the
 * session stops reading the client while it is full ({@link #awaitRoom}).
 *
 * <p>Nothing is relayed as it came: a command reaches the server as {@link FtpCommand#wire()}
 * re-encodes it, a reply reaches the client as its parsed lines re-encoded ({@link Telnet#replyLine}),
 * and lines with Telnet negotiation or control bytes are refused (docs/design/alg.md, "What the
 * ALG forwards").
 *
 * <p>Thread-safe: the session's two reader threads call in; the sinks only queue bytes.
 */
public final class ControlDialogue {
    private static final Logger log = LoggerFactory.getLogger(ControlDialogue.class);
    private static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");
    static final String CRLF = "\r\n";
    /** Commands (and answers of ours behind them) awaiting the server's replies, at most. */
    public static final int MAX_PENDING = PendingReplies.MAX;
    /** Refusals logged per session; beyond, they are counted (snapshot) but not logged. */
    static final int LOGGED_REFUSALS = 20;
    /** What the server's first reply answers: the connection itself. */
    static final String GREETING = "(greeting)";
    static final String MASKED_GREETING = "220 FTP server ready.";
    static final String MASKED_SYST = "215 UNIX Type: L8";
    /** Joins, in the FIFO, the client's verb and what the server got for it when the mode was converted ("PORT>PASV"). */
    static final String CONVERTED = ">";

    private final long sessionId;
    private final SessionAddresses at;
    private final SessionChannel channel;
    private final Consumer<String> toClient;
    private final Consumer<String> toServer;
    private final Clock clock;
    private final ReplyAssembler replies = new ReplyAssembler(64);
    private final PendingReplies pending = new PendingReplies();
    private final AlgControls controls;
    private final DataModeConversion conversion;

    private boolean loggedIn;
    private boolean epsvAll;
    private int transfers; // transfer commands awaiting their final reply
    private long commands;
    private long refusals;
    private long denied;
    private long strictRefused;
    private long masked;
    private int dataCommandsAwaiting; // PORT/PASV and friends sent, their reply not yet in
    private String lastDecision = "";
    private String endReason = "";
    private Instant lastActivity;

    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock) {
        this(sessionId, at, table, ports, channelIds, toClient, toServer, clock, AlgControls.none());
    }

    /** A dialogue under a proxy rule's controls ({@code strict}, {@code deny_commands}, {@code mask_banner}). */
    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock, AlgControls controls) {
        this(sessionId, at, table, ports, channelIds, toClient, toServer, clock, controls, () -> java.time.Duration.ofSeconds(30));
    }

    /** The same, with the policy's data timeout (read when a converted channel starts waiting). */
    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock, AlgControls controls,
            java.util.function.Supplier<java.time.Duration> dataTimeout) {
        this.controls = controls;
        this.sessionId = sessionId;
        this.at = at;
        this.channel = new SessionChannel(sessionId, at, table, ports, channelIds, clock);
        this.conversion = new DataModeConversion(sessionId, at, controls.serverDataMode(), ports, channel, dataTimeout);
        this.toClient = toClient;
        this.toServer = toServer;
        this.clock = clock;
        this.lastActivity = clock.instant();
        pending.expect(GREETING);
    }

    // ---- the client's side ----

    /**
     * A line from the client. Returns false when the session must end: the caller did not wait
     * for room ({@link #awaitRoom}) and the queue is full.
     */
    public synchronized boolean fromClient(Line line) {
        lastActivity = clock.instant();
        commands++;
        if (pending.full()) {
            log.warn("session {}: client {} has {} commands awaiting replies; closing", sessionId, Addresses.endpoint(at.client()),
                    pending.size());
            return false;
        }
        switch (line.flaw()) {
            case OVERLONG -> {
                refuse("500 Command line too long.", "sent a line longer than the limit");
                return true;
            }
            case NEGOTIATION -> {
                refuse("500 Telnet option negotiation is not supported.", "sent Telnet option negotiation");
                return true;
            }
            case MALFORMED_TELNET, CONTROL_BYTE -> {
                refuse("500 Control characters are not allowed in commands.", "sent a control byte or a malformed Telnet sequence");
                return true;
            }
            case NONE -> {
                // parsed below
            }
        }
        Optional<FtpCommand> parsed = FtpCommand.parse(line.text());
        if (parsed.isEmpty()) {
            local("500 Syntax error, command unrecognized.");
            return true;
        }
        FtpCommand command = parsed.get();
        String verb = command.verb();
        if (controls.denies(verb)) {
            denied++;
            decide("denied " + verb);
            refuse("502 Command not allowed by policy.", "sent " + verb + ", which the rule's deny_commands lists");
            return true;
        }
        if (controls.strict()) {
            boolean epsvAllLine = verb.equals("EPSV") && command.trimmedArgument().equalsIgnoreCase("ALL");
            Optional<StrictInspection.Refusal> no = StrictInspection.command(verb, loggedIn,
                    !epsvAllLine && (dataCommandsAwaiting > 0 || channel.current().isPresent() || conversion.pending()));
            if (no.isPresent()) {
                strictRefused++;
                lastDecision = "strict: " + no.get().why();
                refuse(no.get().reply(), no.get().why() + " (strict)");
                return true;
            }
        }
        switch (verb) {
            case "PORT", "EPRT", "LPRT" -> active(verb, command.toString());
            // RFC 2228 (AUTH TLS/SSL): an encrypted control channel cannot be read, so no data
            // channel could be negotiated. Refused here, so a client that offers TLS falls back to
            // plain FTP (or stops, if it insists) instead of a handshake the proxy would break.
            case "AUTH" -> local("502 Command not implemented.");
            case "PASV", "LPSV" -> passive(verb);
            case "EPSV" -> {
                if (command.trimmedArgument().equalsIgnoreCase("ALL")) {
                    // Ours to answer: the proxy speaks PASV or EPSV to the server as the server's
                    // family needs, whatever the client says, so the server never sees EPSV ALL.
                    epsvAll = true;
                    local("200 EPSV ALL command successful.");
                } else {
                    passive(verb);
                }
            }
            default -> {
                if (TRANSFERS.contains(verb)) {
                    transfers++;
                }
                forward(command.wire(), verb);
            }
        }
        return true;
    }

    private void refuse(String reply, String why) {
        refusals++;
        logRefusal("session {}: client {} {}; refused", sessionId, Addresses.endpoint(at.client()), why);
        local(reply);
    }

    /** WARN for the first refusals of a session, then silence: a client must not be able to flood the log. */
    private void logRefusal(String format, Object... args) {
        if (refusals <= LOGGED_REFUSALS) {
            log.warn(format, args);
            if (refusals == LOGGED_REFUSALS) {
                log.warn("session {}: {} refusals; further ones are counted (ftpnatctl proxy sessions), not logged", sessionId,
                        refusals);
            }
        }
    }

    private void active(String verb, String text) {
        if (epsvAll) {
            // RFC 2428 section 4: after EPSV ALL, everything but EPSV is refused.
            local("501 " + verb + " not allowed after EPSV ALL.");
            return;
        }
        if (!loggedIn) {
            local("530 Please login with USER and PASS.");
            return;
        }
        HostPort named;
        try {
            Optional<DataChannelOffer> offer = DataChannelSyntax.command(text);
            named = offer.flatMap(DataChannelOffer::hostPort).orElseThrow(() -> new FtpSyntaxException("no address"));
        } catch (FtpSyntaxException e) {
            log.info("session {}: malformed {} from {}: {}", sessionId, verb, Addresses.endpoint(at.client()), e.getMessage());
            local("501 Syntax error in parameters or arguments.");
            return;
        }
        if (!named.address().equals(at.clientAddress())) {
            // The FTP bounce attack: a data connection to a third party. Never forwarded.
            refusals++;
            logRefusal("session {}: refused {} naming {} from client {} (bounce: not the client's own address)", sessionId, verb,
                    named, Addresses.endpoint(at.client()));
            local("500 Illegal " + verb + " command.");
            return;
        }
        if (named.port() < 1024) {
            refusals++;
            logRefusal("session {}: refused {} naming privileged port {} from client {}", sessionId, verb, named.port(),
                    Addresses.endpoint(at.client()));
            local("500 Illegal " + verb + " command.");
            return;
        }
        InetAddress router = at.routerAddress();
        InetAddress server = at.serverAddress();
        if (conversion.converts(true)) {
            // server_data_mode: passive: the client's address is kept; the server is asked for a
            // passive port, and its offer joins the two (convertedOffer)
            channel.close();
            conversion.clientListens(named);
            forward((server instanceof Inet4Address ? "PASV" : "EPSV") + CRLF, verb + CONVERTED + "PASV");
            return;
        }
        conversion.close();
        Optional<InetAddress> snat = at.clientView().equals(server) ? Optional.empty() : Optional.of(at.clientView());
        int port = channel.allocate(-1);
        if (port < 0 || !channel.open(DataChannel.Kind.ACTIVE, new FlowKey(server, router, port), named.address(), named.port(), snat,
                port)) {
            local("425 Can't open data connection.");
            return;
        }
        HostPort ours = new HostPort(router, port);
        String upstream = router instanceof Inet4Address ? DataChannelSyntax.formatPort(ours) : DataChannelSyntax.formatEprt(ours);
        log.debug("session {}: {} -> {}", sessionId, text, upstream);
        forward(upstream + CRLF, verb);
    }

    private void passive(String verb) {
        if (epsvAll && !verb.equals("EPSV")) {
            local("501 " + verb + " not allowed after EPSV ALL.");
            return;
        }
        if (conversion.converts(false)) {
            // server_data_mode: active: the server gets a PORT naming a router port the ALG
            // listens on; its 200 opens the client's side (convertedPortTaken)
            if (!loggedIn) {
                local("530 Please login with USER and PASS.");
                return;
            }
            channel.close();
            int port = conversion.listenForServer();
            if (port < 0) {
                local("425 Can't open data connection.");
                return;
            }
            HostPort ours = new HostPort(at.routerAddress(), port);
            forward((ours.address() instanceof Inet4Address ? DataChannelSyntax.formatPort(ours) : DataChannelSyntax.formatEprt(ours))
                    + CRLF, verb + CONVERTED + "PORT");
            return;
        }
        conversion.close();
        // The server is asked in the form its family takes (every IPv4 server knows PASV); the
        // client gets its answer in the form it asked for.
        forward((at.serverAddress() instanceof Inet4Address ? "PASV" : "EPSV") + CRLF, verb);
    }

    // ---- the server's side ----

    /**
     * A line from the server. Returns false when the session must end (the server broke the
     * protocol's bounds). The client gets each reply re-encoded from its parsed lines: control
     * bytes and Telnet sequences removed, 0xFF doubled; a line that is no reply line is dropped.
     */
    public synchronized boolean fromServer(Line line) {
        lastActivity = clock.instant();
        if (line.overlong()) {
            return end("server line too long", "server " + Addresses.endpoint(at.server()) + " sent a line longer than the limit");
        }
        if (controls.strict() && line.flaw() != io.ftpnat.ftp.TelnetLineReader.Flaw.NONE) {
            // A server has no reason to send Telnet or control bytes; under strict they end the
            // session rather than being cleaned: the client is told, the reason is logged.
            strictRefusal("strict: server sent a control byte or Telnet sequence");
            toClient.accept("421 Service not available, closing control connection." + CRLF);
            return end("strict: server sent a control byte or Telnet sequence", "server " + Addresses.endpoint(at.server())
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
            if (!offerCode(code) && !masks(pending.head(), code)) {
                toClient.accept(Telnet.replyLine(opening ? text : ReplyAssembler.innerLine(text, code)));
            }
            return true;
        }
        ReplyAssembler.Reply reply = done.get();
        if (reply.code() < 0) {
            log.debug("session {}: server {} sent a line that is no reply; dropped", sessionId, Addresses.endpoint(at.server()));
            return true;
        }
        String last = reply.finalLine();
        if (reply.code() < 200) {
            if (controls.strict() && !StrictInspection.preliminaryFits(pending.head())) {
                strictRefusal("strict: withheld a " + reply.code() + " that fits no command");
                logRefusal("session {}: server {} sent a preliminary {} while {} awaited its reply; withheld (strict)", sessionId,
                        Addresses.endpoint(at.server()), reply.code(), pending.head());
                return true;
            }
            relay(reply, last); // 1xx preliminary: pairs with nothing
            return true;
        }
        String asked = pending.answered(); // room in the queue: the client's reader may go on
        if (asked == null) {
            if (controls.strict() && reply.code() != 421) {
                strictRefusal("strict: withheld an unsolicited " + reply.code());
                logRefusal("session {}: server {} sent a {} that answers no command; withheld (strict)", sessionId,
                        Addresses.endpoint(at.server()), reply.code());
            } else {
                relay(reply, last); // nobody asked (a 421 before closing, say)
            }
            flushLocals();
            return true;
        }
        int arrow = asked.indexOf(CONVERTED);
        String clientVerb = arrow < 0 ? asked : asked.substring(0, arrow); // a converted one: what the client sent
        String serverVerb = arrow < 0 ? asked : asked.substring(arrow + CONVERTED.length()); // and what the server got
        if (StrictInspection.DATA_COMMANDS.contains(clientVerb)) {
            dataCommandsAwaiting = Math.max(0, dataCommandsAwaiting - 1);
        }
        if (controls.strict() && !StrictInspection.finalFits(serverVerb, reply.code())) {
            strictRefusal("strict: withheld a " + reply.code() + " answering " + asked);
            logRefusal("session {}: server {} answered {} with {}, which does not fit it; withheld (strict)", sessionId,
                    Addresses.endpoint(at.server()), asked, reply.code());
            if (TRANSFERS.contains(asked)) {
                transfers = Math.max(0, transfers - 1);
            }
            if (TRANSFERS.contains(asked) || StrictInspection.DATA_COMMANDS.contains(clientVerb)) {
                closeChannels(); // a PORT's channel is open before its reply; a transfer's is over
            }
            if (asked.equals(GREETING)) {
                toClient.accept("421 Service not available, closing control connection." + CRLF);
                return end("strict: the greeting did not fit", "server " + Addresses.endpoint(at.server()) + " greeted with "
                        + reply.code() + " (strict)");
            }
            toClient.accept("451 Reply withheld by the proxy: it did not fit the command." + CRLF);
            flushLocals();
            return true;
        }
        if (arrow >= 0) {
            if (serverVerb.equals("PASV")) {
                convertedOffer(clientVerb, reply, last);
            } else {
                convertedPortTaken(clientVerb, reply, last);
            }
            flushLocals();
            return true;
        }
        switch (asked) {
            case "PASV", "EPSV", "LPSV" -> passiveReply(asked, reply, last);
            case "PORT", "EPRT", "LPRT" -> {
                if (reply.code() >= 300) {
                    closeChannels();
                }
                relay(reply, last);
            }
            case "PASS", "USER" -> {
                loggedIn |= reply.code() == 230;
                relay(reply, last);
            }
            default -> {
                if (TRANSFERS.contains(asked)) {
                    transfers = Math.max(0, transfers - 1);
                    closeChannels(); // the transfer is over: the one connection it needed has come and gone
                }
                if (masks(asked, reply.code())) {
                    masked++;
                    decide("masked the " + (asked.equals(GREETING) ? "greeting" : "SYST reply"));
                    toClient.accept((asked.equals(GREETING) ? MASKED_GREETING : MASKED_SYST) + CRLF);
                } else {
                    relay(reply, last);
                }
            }
        }
        flushLocals();
        return true;
    }

    /** Whether {@code mask_banner} replaces this reply: the 220 greeting, a 215 to SYST. */
    private boolean masks(String asked, int code) {
        return controls.maskBanner() && asked != null
                && ((asked.equals(GREETING) && code == 220) || (asked.equals("SYST") && code == 215));
    }

    /** The session must end: the reason for the session's log line; false for the caller to return. */
    private boolean end(String reason, String logged) {
        log.warn("session {}: {}; closing", sessionId, logged);
        endReason = reason;
        return false;
    }

    /** Why {@link #fromServer} ended the session. */
    public synchronized String endReason() {
        return endReason;
    }

    private void decide(String decision) {
        lastDecision = decision;
    }

    /** A refusal of {@code strict} on the server's side: counted, and in the log budget of refusals. */
    private void strictRefusal(String decision) {
        strictRefused++;
        refusals++;
        lastDecision = decision;
    }

    private static boolean offerCode(int code) {
        return code == 227 || code == 228 || code == 229;
    }

    /**
     * A reply that answers no passive request. A 227/228/229 among them whose text holds a digit
     * may name an address or a port (the server's own, or a malicious server steering the client):
     * withheld, whatever its form. One without ("227 Logout.") is harmless text and relayed.
     */
    private void relay(ReplyAssembler.Reply reply, String last) {
        if (offerCode(reply.code()) && reply.lastText().chars().anyMatch(Character::isDigit)) {
            refusals++;
            logRefusal("session {}: server {} sent a {} that answers no passive request; withheld from the client", sessionId,
                    Addresses.endpoint(at.server()), reply.code());
            toClient.accept(reply.code() + " Reply withheld by the proxy: no passive request was waiting." + CRLF);
            return;
        }
        toClient.accept(Telnet.replyLine(last));
    }

    private void passiveReply(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (!offerCode(reply.code())) {
            toClient.accept(Telnet.replyLine(last));
            return;
        }
        int offered = offeredPort(reply);
        if (offered < 0) {
            return;
        }
        InetAddress view = at.clientView();
        int port = channel.allocate(offered);
        if (port < 0 || !channel.open(DataChannel.Kind.PASSIVE, new FlowKey(at.clientAddress(), view, port), at.serverAddress(), offered,
                Optional.of(at.routerAddress()), port)) {
            toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        answerPassive(clientVerb, port);
    }

    /** The client's passive answer in the form it asked for, naming the address it connected to and the router's port. */
    private void answerPassive(String clientVerb, int port) {
        InetAddress view = at.clientView();
        HostPort ours = new HostPort(view, port);
        String answer;
        if (clientVerb.equals("EPSV")) {
            answer = DataChannelSyntax.format229(port);
        } else if (clientVerb.equals("LPSV")) {
            answer = DataChannelSyntax.format228(ours);
        } else if (view instanceof Inet4Address) {
            answer = DataChannelSyntax.format227(ours);
        } else {
            closeChannels();
            answer = "425 Can't open data connection.";
        }
        toClient.accept(answer + CRLF);
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
            log.info("session {}: server {} sent a malformed {}: {}", sessionId, Addresses.endpoint(at.server()), reply.code(), e.getMessage());
            toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        InetAddress server = at.serverAddress();
        if (controls.strict() && offer.address().filter(a -> !a.equals(server)).isPresent()) {
            strictRefusal("strict: refused a " + reply.code() + " naming another address than the server's");
            logRefusal("session {}: server {} advertised {} in its {}, not its own address; refused (strict)", sessionId,
                    Addresses.endpoint(at.server()), Addresses.text(offer.address().get()), reply.code());
            toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        offer.address().filter(a -> !a.equals(server)).ifPresent(a -> log.info(
                "session {}: server {} advertised {} in its {}; using the server's own address", sessionId, Addresses.endpoint(at.server()),
                Addresses.text(a), reply.code()));
        if (offer.port() < 1024) {
            log.warn("session {}: server {} offered privileged port {}; refused", sessionId, Addresses.endpoint(at.server()), offer.port());
            toClient.accept("425 Can't open data connection." + CRLF);
            return -1;
        }
        return offer.port();
    }

    /** server_data_mode: passive: the server's offer answers the client's PORT; the ALG joins the two. */
    private void convertedOffer(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (!offerCode(reply.code())) {
            conversion.close();
            relay(reply, last); // the server refused PASV: its refusal answers the PORT
            return;
        }
        int offered = offeredPort(reply);
        if (offered < 0 || !conversion.serverOffered(offered)) {
            conversion.close();
            if (offered >= 0) {
                toClient.accept("425 Can't open data connection." + CRLF);
            }
            return;
        }
        decide("converted " + clientVerb + " to passive towards the server");
        toClient.accept("200 " + clientVerb + " command successful." + CRLF);
    }

    /** server_data_mode: active: the server took the ALG's PORT; the client gets its passive answer. */
    private void convertedPortTaken(String clientVerb, ReplyAssembler.Reply reply, String last) {
        if (reply.code() != 200) {
            conversion.close();
            relay(reply, last);
            return;
        }
        int port = conversion.listenForClient();
        if (port < 0) {
            toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        decide("converted " + clientVerb + " to active towards the server");
        answerPassive(clientVerb, port);
    }

    private void closeChannels() {
        channel.close();
        conversion.close();
    }

    /** The session is over: withdraws its data channel and wakes a reader waiting for room. */
    public synchronized void close() {
        closeChannels();
        pending.close();
    }

    /** Whether another client line may be taken now. */
    public boolean hasRoom() {
        return !pending.full();
    }

    /**
     * Waits up to {@code millis} for room in the queue (the server answering); true when there is
     * room, false on timeout or when the session closed. The session's client reader calls this
     * before each line: while the server is silent, the client's bytes stay in the kernel's socket
     * buffer and TCP tells the client to wait.
     */
    public boolean awaitRoom(long millis) throws InterruptedException {
        return pending.awaitRoom(millis); // not under the dialogue's lock: the server's reader needs it
    }

    /** Puts the session's kernel channel back after the table was replaced (a policy apply). */
    public synchronized void reinstall() {
        channel.reinstall();
    }

    // ---- ordering ----

    private void forward(String bytes, String verb) {
        int arrow = verb.indexOf(CONVERTED);
        if (StrictInspection.DATA_COMMANDS.contains(arrow < 0 ? verb : verb.substring(0, arrow))) {
            dataCommandsAwaiting++;
        }
        toServer.accept(bytes);
        pending.expect(verb);
    }

    private void local(String reply) {
        pending.answer(reply + CRLF, toClient);
    }

    private void flushLocals() {
        pending.flushOurs(toClient);
    }

    // ---- what the session shows ----

    public synchronized Snapshot snapshot() {
        return new Snapshot(loggedIn, transfers > 0, commands, channel.opened(), refusals, channel.current(), lastActivity,
                pending.size(), new Decisions(controls, denied, strictRefused, masked, conversion.converted(), lastDecision));
    }

    public record Snapshot(boolean loggedIn, boolean transferring, long commands, long channelsOpened, long refusals,
            Optional<DataChannel> channel, Instant lastActivity, int awaitingReplies, Decisions decisions) {
        public Snapshot(boolean loggedIn, boolean transferring, long commands, long channelsOpened, long refusals,
                Optional<DataChannel> channel, Instant lastActivity, int awaitingReplies) {
            this(loggedIn, transferring, commands, channelsOpened, refusals, channel, lastActivity, awaitingReplies,
                    new Decisions(AlgControls.none(), 0, 0, 0, 0, ""));
        }
    }

    /**
     * What the rule's controls decided in this session: commands denied ({@code deny_commands}),
     * refusals of {@code strict} (commands and replies), replies masked ({@code mask_banner}),
     * data channels converted ({@code server_data_mode}),
     * and the latest decision in words.
     */
    public record Decisions(AlgControls controls, long denied, long strictRefused, long masked, long converted, String last) {
    }
}
