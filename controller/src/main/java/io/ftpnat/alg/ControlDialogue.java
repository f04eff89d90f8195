package io.ftpnat.alg;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.ftp.DataChannelSyntax;
import io.ftpnat.ftp.FtpSyntaxException;
import io.ftpnat.ftp.HostPort;
import io.ftpnat.ftp.ReplyAssembler;
import io.ftpnat.ftp.TelnetLineReader.Line;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
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
 * pipelined commands get their replies in order.
 *
 * <p>Thread-safe: the session's two reader threads call in; the sinks only queue bytes.
 */
public final class ControlDialogue {
    private static final Logger log = LoggerFactory.getLogger(ControlDialogue.class);
    private static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");
    static final String CRLF = "\r\n";

    /** A command waiting for its final reply, or an answer of ours waiting for its turn. */
    private sealed interface Pending {
    }

    private record Upstream(String verb) implements Pending {
    }

    private record Local(String reply) implements Pending {
    }

    private final long sessionId;
    private final SessionAddresses at;
    private final DataChannelTable table;
    private final PortAllocator ports;
    private final AtomicLong channelIds;
    private final Consumer<String> toClient;
    private final Consumer<String> toServer;
    private final Clock clock;
    private final ReplyAssembler replies = new ReplyAssembler(64);
    private final Deque<Pending> pending = new ArrayDeque<>();

    private DataChannel channel;
    private int channelPort = -1;
    private boolean loggedIn;
    private boolean epsvAll;
    private int transfers; // transfer commands awaiting their final reply
    private long commands;
    private long channelsOpened;
    private long refusals;
    private Instant lastActivity;

    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock) {
        this.sessionId = sessionId;
        this.at = at;
        this.table = table;
        this.ports = ports;
        this.channelIds = channelIds;
        this.toClient = toClient;
        this.toServer = toServer;
        this.clock = clock;
        this.lastActivity = clock.instant();
        pending.add(new Upstream("(greeting)"));
    }

    // ---- the client's side ----

    public synchronized void fromClient(Line line) {
        lastActivity = clock.instant();
        commands++;
        if (line.overlong()) {
            log.info("session {}: client {} sent a line longer than the limit; refused", sessionId, Addresses.endpoint(at.client()));
            local("500 Command line too long.");
            return;
        }
        String text = line.text().strip();
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String arg = space < 0 ? "" : text.substring(space + 1).strip();
        switch (verb) {
            case "PORT", "EPRT", "LPRT" -> active(verb, text);
            // RFC 2228 (AUTH TLS/SSL): an encrypted control channel cannot be read, so no data
            // channel could be negotiated. Refused here, so a client that offers TLS falls back to
            // plain FTP (or stops, if it insists) instead of a handshake the proxy would break.
            case "AUTH" -> local("502 Command not implemented.");
            case "PASV", "LPSV" -> passive(verb);
            case "EPSV" -> {
                if (arg.equalsIgnoreCase("ALL")) {
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
                forward(line.raw().isEmpty() ? line.text() + CRLF : line.raw(), verb);
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
            log.warn("session {}: refused {} naming {} from client {} (bounce: not the client's own address)", sessionId, verb,
                    named, Addresses.endpoint(at.client()));
            local("500 Illegal " + verb + " command.");
            return;
        }
        if (named.port() < 1024) {
            refusals++;
            log.warn("session {}: refused {} naming privileged port {} from client {}", sessionId, verb, named.port(), Addresses.endpoint(at.client()));
            local("500 Illegal " + verb + " command.");
            return;
        }
        InetAddress router = at.routerAddress();
        InetAddress server = at.serverAddress();
        Optional<InetAddress> snat = at.clientView().equals(server) ? Optional.empty() : Optional.of(at.clientView());
        int port = ports.allocate(-1);
        if (port < 0 || !open(DataChannel.Kind.ACTIVE, new FlowKey(server, router, port), named.address(), named.port(), snat,
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
        // The server is asked in the form its family takes (every IPv4 server knows PASV); the
        // client gets its answer in the form it asked for.
        forward((at.serverAddress() instanceof Inet4Address ? "PASV" : "EPSV") + CRLF, verb);
    }

    // ---- the server's side ----

    /** Returns false when the session must end (the server broke the protocol's bounds). */
    public synchronized boolean fromServer(Line line) {
        lastActivity = clock.instant();
        if (line.overlong()) {
            log.warn("session {}: server {} sent a line longer than the limit; closing", sessionId, Addresses.endpoint(at.server()));
            return false;
        }
        String raw = line.raw().isEmpty() ? line.text() + CRLF : line.raw();
        Optional<ReplyAssembler.Reply> done = replies.add(line.text());
        if (done.isEmpty()) {
            toClient.accept(raw); // a line inside a multi-line reply
            return true;
        }
        ReplyAssembler.Reply reply = done.get();
        if (reply.code() < 200) {
            toClient.accept(raw); // 1xx preliminary, or not a reply line at all: relayed, pairs with nothing
            return true;
        }
        Pending head = pending.poll();
        if (!(head instanceof Upstream asked)) {
            toClient.accept(raw); // nobody asked (a 421 before closing, say)
            flushLocals();
            return true;
        }
        switch (asked.verb()) {
            case "PASV", "EPSV", "LPSV" -> passiveReply(asked.verb(), reply, raw);
            case "PORT", "EPRT", "LPRT" -> {
                if (reply.code() >= 300) {
                    closeChannel();
                }
                toClient.accept(raw);
            }
            case "PASS", "USER" -> {
                loggedIn |= reply.code() == 230;
                toClient.accept(raw);
            }
            default -> {
                if (TRANSFERS.contains(asked.verb())) {
                    transfers = Math.max(0, transfers - 1);
                    closeChannel(); // the transfer is over: the one connection it needed has come and gone
                }
                toClient.accept(raw);
            }
        }
        flushLocals();
        return true;
    }

    private void passiveReply(String clientVerb, ReplyAssembler.Reply reply, String raw) {
        if (reply.code() != 227 && reply.code() != 228 && reply.code() != 229) {
            toClient.accept(raw);
            return;
        }
        DataChannelOffer offer;
        try {
            offer = DataChannelSyntax.reply(reply.code(), reply.lastText()).orElseThrow();
        } catch (FtpSyntaxException e) {
            log.info("session {}: server {} sent a malformed {}: {}", sessionId, Addresses.endpoint(at.server()), reply.code(), e.getMessage());
            toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        InetAddress server = at.serverAddress();
        offer.address().filter(a -> !a.equals(server)).ifPresent(a -> log.info(
                "session {}: server {} advertised {} in its {}; using the server's own address", sessionId, Addresses.endpoint(at.server()),
                Addresses.text(a), reply.code()));
        if (offer.port() < 1024) {
            log.warn("session {}: server {} offered privileged port {}; refused", sessionId, Addresses.endpoint(at.server()), offer.port());
            toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        InetAddress view = at.clientView();
        int port = ports.allocate(offer.port());
        if (port < 0 || !open(DataChannel.Kind.PASSIVE, new FlowKey(at.clientAddress(), view, port), server, offer.port(),
                Optional.of(at.routerAddress()), port)) {
            toClient.accept("425 Can't open data connection." + CRLF);
            return;
        }
        HostPort ours = new HostPort(view, port);
        String answer;
        if (clientVerb.equals("EPSV")) {
            answer = DataChannelSyntax.format229(port);
        } else if (clientVerb.equals("LPSV")) {
            answer = DataChannelSyntax.format228(ours);
        } else if (view instanceof Inet4Address) {
            answer = DataChannelSyntax.format227(ours);
        } else {
            closeChannel();
            answer = "425 Can't open data connection.";
        }
        toClient.accept(answer + CRLF);
    }

    // ---- channels ----

    private boolean open(DataChannel.Kind kind, FlowKey match, InetAddress target, int targetPort, Optional<InetAddress> snat,
            int port) {
        // The kernel cannot NAT between IPv4 and IPv6: only then does the data pass through the daemon.
        DataChannel.Path path = (at.clientAddress() instanceof Inet4Address) == (at.serverAddress() instanceof Inet4Address)
                ? DataChannel.Path.KERNEL : DataChannel.Path.RELAYED;
        DataChannel c = new DataChannel(channelIds.incrementAndGet(), sessionId, kind, match, target, targetPort, snat, path,
                clock.instant());
        // One pending channel per session: a new negotiation replaces the old one, in one kernel
        // transaction when the table can.
        DataChannel old = channel;
        int oldPort = channelPort;
        channel = null;
        channelPort = -1;
        try {
            if (old != null) {
                table.replace(old, c);
            } else {
                table.install(c);
            }
        } catch (IOException e) {
            log.error("session {}: {}", sessionId, e.getMessage());
            if (old != null) {
                table.remove(old); // whatever the failed transaction left, the old channel is gone
                ports.release(oldPort);
            }
            ports.release(port);
            return false;
        }
        if (old != null) {
            ports.release(oldPort);
        }
        channel = c;
        channelPort = port;
        channelsOpened++;
        log.debug("session {}: data channel {}", sessionId, c);
        return true;
    }

    private void closeChannel() {
        if (channel != null) {
            table.remove(channel);
            ports.release(channelPort);
            channel = null;
            channelPort = -1;
        }
    }

    /** The session is over: withdraws its data channel. */
    public synchronized void close() {
        closeChannel();
    }

    /** Puts the session's kernel channel back after the table was replaced (a policy apply); a relay has no table entry. */
    public synchronized void reinstall() {
        if (channel != null && channel.path() == DataChannel.Path.KERNEL) {
            try {
                table.install(channel);
            } catch (IOException e) {
                log.warn("session {}: could not re-add {} after the policy was applied: {}", sessionId, channel, e.getMessage());
            }
        }
    }

    // ---- ordering ----

    private void forward(String bytes, String verb) {
        toServer.accept(bytes);
        pending.add(new Upstream(verb));
    }

    private void local(String reply) {
        if (pending.isEmpty()) {
            toClient.accept(reply + CRLF);
        } else {
            pending.add(new Local(reply + CRLF));
        }
    }

    private void flushLocals() {
        while (pending.peek() instanceof Local l) {
            pending.poll();
            toClient.accept(l.reply());
        }
    }

    // ---- what the session shows ----

    public synchronized Snapshot snapshot() {
        return new Snapshot(loggedIn, transfers > 0, commands, channelsOpened, refusals, Optional.ofNullable(channel), lastActivity,
                pending.size());
    }

    public record Snapshot(boolean loggedIn, boolean transferring, long commands, long channelsOpened, long refusals,
            Optional<DataChannel> channel, Instant lastActivity, int awaitingReplies) {
    }
}
