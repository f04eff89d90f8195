package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One FTP control connection as the daemon knows it. Mutable, and owned by {@link SessionModel}:
 * only touched under the model's lock. Every list is bounded and every string in it is cut to
 * {@link ObservedDialogue#SHOWN} (notes to {@link #NOTE_CHARS}), so a long session or a hostile
 * peer cannot grow it: under 14 KiB of heap (SessionMemoryTest measures ~10), typically 3.
 * {@link SessionModel#MAX_SESSIONS} of them fit the daemon's 256 MiB heap.
 */
final class FtpSession {
    static final int MAX_LINES = 12;
    static final int MAX_CHANNELS = 4;
    static final int MAX_DATA = 8;
    static final int MAX_NOTES = 8;
    static final int NOTE_CHARS = 300;

    final String id;
    /** Order of admission to the model: a reconcile judges only sessions admitted before its dump began. */
    long admitted;

    /** The policy rule that attached the helper ("" when no rule of the policy in force matches). */

    final String rule;
    final Instant since;
    /** Known from the kernel tables when the daemon started (its dialogue so far was not seen). */
    final boolean recovered;
    Conntrack control;
    boolean closed;
    Instant closedAt;
    final ObservedDialogue dialogue = new ObservedDialogue();
    /** Repairs this session may still make ({@link RepairBudget}). */
    final RepairBudget.Bucket repairBudget;
    /** Repairs refused by the budget (logged at 1, 2, 4, 8, ...: a flood cannot flood the log). */
    long repairsLimited;
    /**
     * The kernel's latest expectation event that matched no channel yet: its event can come before
     * the observer's copy of the line that caused it (two sockets, two threads). Claimed by the
     * next negotiation it matches, within {@link Reconciler#KERNEL_GRACE} x 4.
     */
    io.ftpnat.nativ.netlink.conntrack.Expectation unclaimedKernel;
    Instant unclaimedKernelAt;
    /** Negotiations refused (logged at 1, 2, 4, 8, ...). */
    long refused;
    /** The one (client, address, port) watched for this session's latest repaired 227, if any. */
    AdvertisedKey advertised;
    long clientBytes;
    long serverBytes;
    long segments;
    final Deque<String> lines = new ArrayDeque<>();
    final Deque<ObservedChannel> channels = new ArrayDeque<>();
    final Deque<Conntrack> data = new ArrayDeque<>();
    final Deque<String> notes = new ArrayDeque<>();
    int channelCount;
    int repairs;

    FtpSession(Conntrack control, boolean recovered, Instant since, RepairBudget.Bucket repairBudget) {
        this(control, "", recovered, since, repairBudget);
    }

    /** @param rule the policy rule whose helper the control connection carries ("" when unknown) */
    FtpSession(Conntrack control, String rule, boolean recovered, Instant since, RepairBudget.Bucket repairBudget) {
        this.id = idOf(control);
        this.rule = rule;
        this.control = control;
        this.recovered = recovered;
        this.since = since;
        this.repairBudget = repairBudget;
    }

    /** Stable across daemon restarts: the kernel's id of the control connection. */
    static String idOf(Conntrack c) {
        return Long.toString(c.id());
    }

    /**
     * Whether {@code c}, on this session's four-tuple, is another conntrack entry than this
     * session's: the client reused its port, and the kernel replaced the old entry (in TIME_WAIT)
     * with a new connection, which is a session of its own. Unknown ids (-1) never differ.
     */
    boolean replacedBy(Conntrack c) {
        return c.id() >= 0 && control.id() >= 0 && c.id() != control.id();
    }

    boolean observed() {
        return segments > 0;
    }

    IpAddress client() {
        return control.original().src();
    }

    int clientPort() {
        return control.original().srcPort();
    }

    IpAddress server() {
        return control.reply().src();
    }

    int serverPort() {
        return control.reply().srcPort();
    }

    Tuple master() {
        return control.original();
    }

    ObservedChannel latest() {
        return channels.peekLast();
    }

    /**
     * The channel the kernel holds (or should hold) an expectation for: the latest open one. A
     * refused negotiation does not replace it — the kernel never saw that one as a negotiation.
     */
    ObservedChannel latestOpen() {
        var it = channels.descendingIterator();
        while (it.hasNext()) {
            ObservedChannel c = it.next();
            if (c.open()) {
                return c;
            }
        }
        return null;
    }

    /** The channel numbered {@code number}, or null (the list keeps the latest {@link #MAX_CHANNELS}). */
    ObservedChannel channel(int number) {
        for (ObservedChannel c : channels) {
            if (c.number() == number) {
                return c;
            }
        }
        return null;
    }

    /** Puts {@code c} in the place of the channel with its number (channels move on as immutable values). */
    void replace(ObservedChannel c) {
        List<ObservedChannel> list = new ArrayList<>(channels);
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).number() == c.number()) {
                list.set(i, c);
                channels.clear();
                channels.addAll(list);
                return;
            }
        }
    }

    void addChannel(ObservedChannel c, Instant now) {
        ObservedChannel previous = latestOpen();
        if (previous != null && c.state() != ObservedChannel.State.REFUSED) {
            // ftp's max_expected is 1: the new expectation replaces the old one in the kernel
            replace(previous.with(ObservedChannel.State.ENDED, previous.note() + "; replaced by a later negotiation", now));
        }
        channels.addLast(c);
        if (channels.size() > MAX_CHANNELS) {
            channels.pollFirst();
        }
    }

    void line(String l) {
        lines.addLast(l);
        if (lines.size() > MAX_LINES) {
            lines.pollFirst();
        }
    }

    void note(String text) {
        String n = text.length() > NOTE_CHARS ? text.substring(0, NOTE_CHARS) + "…" : text;
        if (!notes.contains(n)) {
            notes.addLast(n);
            if (notes.size() > MAX_NOTES) {
                notes.pollFirst();
            }
        }
    }

    /**
     * Marks the channel this data connection came for (the latest one without a data connection
     * that it matches, even if a later negotiation already replaced it: events can come late).
     * Returns that channel, or null.
     */
    ObservedChannel connect(Conntrack c, Instant now) {
        List<ObservedChannel> list = new ArrayList<>(channels);
        for (int i = list.size() - 1; i >= 0; i--) {
            ObservedChannel ch = list.get(i);
            if (ch.data() == null && ch.state() != ObservedChannel.State.REFUSED && ch.state() != ObservedChannel.State.CONNECTED
                    && ch.matches(c)) {
                list.set(i, ch.connected(c, now));
                channels.clear();
                channels.addAll(list);
                return ch;
            }
        }
        return null;
    }

    void addData(Conntrack c) {
        data.removeIf(d -> d.original().equals(c.original()));
        data.addLast(c);
        if (data.size() > MAX_DATA) {
            data.pollFirst();
        }
    }

    List<ObservedChannel> channelList() {
        return new ArrayList<>(channels);
    }
}
