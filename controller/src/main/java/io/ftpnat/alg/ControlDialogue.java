package io.ftpnat.alg;

import io.ftpnat.ftp.FtpCommand;
import io.ftpnat.ftp.Telnet;
import io.ftpnat.ftp.TelnetLineReader.Line;
import io.ftpnat.policy.AlgControls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The ALG's reading of one FTP control dialogue, without any I/O: lines from the client and
 * replies from the server go in; what to send each way comes out through two sinks, in order.
 *
 * <p>Every command sent to the server waits in a queue for its final reply (RFC 959: one per
 * command, after any 1xx), so a 227 is only taken for a passive-mode answer when a PASV/EPSV/LPSV
 * is at the head of the queue — a stray 227 opens nothing and is relayed as it came. Answers the
 * proxy gives itself (a refused bounce, {@code EPSV ALL}) take their place in the same queue, so
 * pipelined commands get their replies in order. The queue is bounded ({@link #MAX_PENDING}): the
 * session stops reading the client while it is full ({@link #hasRoom}).
 *
 * <p>Nothing is relayed as it came: a command reaches the server as {@link FtpCommand#wire()}
 * re-encodes it, a reply reaches the client as its parsed lines re-encoded ({@link Telnet#replyLine}),
 * and lines with Telnet negotiation or control bytes are refused (docs/design/alg.md, "What the
 * ALG forwards").
 *
 * <p>The parts: {@link ClientCommands} and {@link ServerReplies} (the two sides),
 * {@link RuleDecisions} (the rule's controls), {@link DataChannelNegotiation} (PORT/PASV and
 * conversions), {@link DialogueState} (what is remembered, and the ordering of answers).
 *
 * <p>Thread-safe: every entry point holds this object's lock; the parts are only used under it and
 * the sinks only queue bytes.
 */
public final class ControlDialogue {
    static final String CRLF = "\r\n";
    /** Commands (and answers of ours behind them) awaiting the server's replies, at most. */
    public static final int MAX_PENDING = PendingReplies.MAX;
    /** Refusals logged per session; beyond, they are counted (snapshot) but not logged. */
    static final int LOGGED_REFUSALS = 20;
    /** What the server's first reply answers: the connection itself. */
    static final String GREETING = "(greeting)";
    /** Joins, in the FIFO, the client's verb and what the server got for it when the mode was converted ("PORT>PASV"). */
    static final String CONVERTED = ">";

    private final DialogueState state;
    private final RuleDecisions rules;
    private final DataChannelNegotiation data;
    private final ClientCommands client;
    private final ServerReplies server;

    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock) {
        this(sessionId, at, table, ports, channelIds, toClient, toServer, clock, AlgControls.none());
    }

    /** A dialogue under a proxy rule's controls ({@code strict}, {@code deny_commands}, {@code mask_banner}). */
    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock, AlgControls controls) {
        this(sessionId, at, table, ports, channelIds, toClient, toServer, clock, controls, () -> Duration.ofSeconds(30));
    }

    /** The same, with the policy's data timeout (read when a converted channel starts waiting). */
    public ControlDialogue(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds,
            Consumer<String> toClient, Consumer<String> toServer, Clock clock, AlgControls controls, Supplier<Duration> dataTimeout) {
        SessionChannel channel = new SessionChannel(sessionId, at, table, ports, channelIds, clock);
        DataModeConversion conversion = new DataModeConversion(sessionId, at, controls.serverDataMode(), ports, channel, dataTimeout);
        this.state = new DialogueState(sessionId, at, toClient, toServer, clock);
        this.rules = new RuleDecisions(controls, state);
        this.data = new DataChannelNegotiation(state, rules, channel, conversion);
        this.client = new ClientCommands(state, rules, data);
        this.server = new ServerReplies(state, rules, data);
    }

    /**
     * A line from the client. Returns false when the session must end: the caller did not wait
     * for room ({@link #hasRoom}) and the queue is full.
     */
    public synchronized boolean fromClient(Line line) {
        return client.take(line);
    }

    /**
     * A line from the server. Returns false when the session must end (the server broke the
     * protocol's bounds). The client gets each reply re-encoded from its parsed lines: control
     * bytes and Telnet sequences removed, 0xFF doubled; a line that is no reply line is dropped.
     */
    public synchronized boolean fromServer(Line line) {
        return server.take(line);
    }

    /** Why {@link #fromServer} ended the session. */
    public synchronized String endReason() {
        return state.endReason;
    }

    /** The session is over: withdraws its data channel. */
    public synchronized void close() {
        data.close();
    }

    /**
     * Whether another client line may be taken now. The session reads the client only while there
     * is room: while the server is silent, the client's bytes stay in the kernel's socket buffer
     * and TCP tells the client to wait.
     */
    public boolean hasRoom() {
        return !state.pending.full(); // not under the dialogue's lock: the queue has its own
    }

    /** Puts the session's kernel channel back after the table was replaced (a policy apply). */
    public synchronized void reinstall() {
        data.reinstall();
    }

    // ---- what the session shows ----

    public synchronized Snapshot snapshot() {
        SessionChannel channel = data.channel();
        return new Snapshot(state.loggedIn, state.transfers > 0, state.commands, channel.opened(), state.refusals, channel.current(),
                state.lastActivity, state.pending.size(), new Decisions(rules.controls(), state.denied, state.strictRefused,
                        state.masked, data.conversion().converted(), state.lastDecision));
    }

    public record Snapshot(boolean loggedIn, boolean transferring, long commands, long channelsOpened, long refusals,
            Optional<ChannelElement> channel, Instant lastActivity, int awaitingReplies, Decisions decisions) {
        public Snapshot(boolean loggedIn, boolean transferring, long commands, long channelsOpened, long refusals,
                Optional<ChannelElement> channel, Instant lastActivity, int awaitingReplies) {
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
