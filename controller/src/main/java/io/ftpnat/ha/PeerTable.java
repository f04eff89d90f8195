package io.ftpnat.ha;

import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer's FTP control connections as it last described them, on the backup. Bounded
 * ({@link #MAX_ENTRIES}, the oldest goes first); an entry the peer has not refreshed for
 * {@link #MAX_AGE_MILLIS} is dropped (the peer refreshes every tracked connection periodically).
 */
final class PeerTable {
    static final int MAX_ENTRIES = 65_536;
    static final long MAX_AGE_MILLIS = 120_000;

    private record Entry(FtpControlState state, long at) { }

    private final LinkedHashMap<Tuple, Entry> entries = new LinkedHashMap<>(16, 0.75f, false);
    private long evicted;

    synchronized void put(FtpControlState s, long now) {
        entries.remove(s.master()); // re-inserted last: the oldest refresh is always first
        entries.put(s.master(), new Entry(s, now));
        while (entries.size() > MAX_ENTRIES) {
            Map.Entry<Tuple, Entry> oldest = entries.entrySet().iterator().next();
            entries.remove(oldest.getKey());
            evicted++;
        }
    }

    synchronized void remove(Tuple master) {
        entries.remove(master);
    }

    /** The live entries (older ones dropped now). */
    synchronized List<FtpControlState> live(long now) {
        entries.values().removeIf(e -> now - e.at > MAX_AGE_MILLIS);
        List<FtpControlState> out = new ArrayList<>(entries.size());
        entries.values().forEach(e -> out.add(e.state));
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long evicted() {
        return evicted;
    }

    synchronized void clear() {
        entries.clear();
    }
}
