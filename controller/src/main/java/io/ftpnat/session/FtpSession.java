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
 * only touched under the model's lock. Every list is bounded, so a long session (or a hostile
 * peer) cannot grow it without limit.
 */
final class FtpSession {
    static final int MAX_LINES = 64;
    static final int MAX_CHANNELS = 32;
    static final int MAX_DATA = 32;
    static final int MAX_NOTES = 16;

    final String id;
    final Instant since;
    /** Known from the kernel tables when the daemon started (its dialogue so far was not seen). */
    final boolean recovered;
    Conntrack control;
    boolean closed;
    Instant closedAt;
    final StreamReassembler fromClient = new StreamReassembler(64 * 1024);
    final StreamReassembler fromServer = new StreamReassembler(64 * 1024);
    final ObservedDialogue dialogue = new ObservedDialogue();
    long clientBytes;
    long serverBytes;
    long segments;
    final Deque<String> lines = new ArrayDeque<>();
    final Deque<DataChannel> channels = new ArrayDeque<>();
    final Deque<Conntrack> data = new ArrayDeque<>();
    final Deque<String> notes = new ArrayDeque<>();
    int channelCount;
    int repairs;

    FtpSession(Conntrack control, boolean recovered) {
        this.id = idOf(control);
        this.control = control;
        this.recovered = recovered;
        this.since = Instant.now();
    }

    /** Stable across daemon restarts: the kernel's id of the control connection. */
    static String idOf(Conntrack c) {
        return Long.toString(c.id());
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

    DataChannel latest() {
        return channels.peekLast();
    }

    void replaceLatest(DataChannel c) {
        channels.pollLast();
        channels.addLast(c);
    }

    void addChannel(DataChannel c) {
        DataChannel previous = channels.peekLast();
        if (previous != null && previous.open()) {
            // ftp's max_expected is 1: the new expectation replaces the old one in the kernel
            replaceLatest(previous.with(DataChannel.State.ENDED, previous.note() + "; replaced by a later negotiation"));
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

    void note(String n) {
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
    DataChannel connect(Conntrack c) {
        List<DataChannel> list = new ArrayList<>(channels);
        for (int i = list.size() - 1; i >= 0; i--) {
            DataChannel ch = list.get(i);
            if (ch.data() == null && ch.state() != DataChannel.State.REFUSED && ch.state() != DataChannel.State.CONNECTED
                    && ch.matches(c)) {
                list.set(i, ch.connected(c));
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

    List<DataChannel> channelList() {
        return new ArrayList<>(channels);
    }
}
