package io.ftpnat.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies of control-channel segments that arrived before their control connection's conntrack
 * event (NFLOG and ctnetlink are two sockets read by two threads: the copy can win). Held per flow
 * for {@link #KEPT}, replayed when the session appears. Bounded: {@link #MAX_FLOWS} flows of
 * {@link #PER_FLOW} segments; past either bound a copy is counted as unmatched and dropped.
 * Mutable; used under the model's lock.
 */
final class EarlyPackets {
    static final Duration KEPT = Duration.ofSeconds(5);
    static final int MAX_FLOWS = 256;
    static final int PER_FLOW = 32;

    /** One held copy: the segment, the kernel's timestamp of it (µs, or -1) and when it was held. */
    record Held(TcpSegment segment, long micros, Instant at) {
    }

    private final Map<ControlFlow, List<Held>> held = new LinkedHashMap<>();

    /** Holds a copy under {@code flow}; false when a bound refused it (the caller counts it). */
    boolean hold(ControlFlow flow, Held copy) {
        Instant now = copy.at();
        held.values().removeIf(l -> l.isEmpty() || l.get(0).at().plus(KEPT).isBefore(now));
        if (held.size() >= MAX_FLOWS && !held.containsKey(flow)) {
            return false;
        }
        List<Held> list = held.computeIfAbsent(flow, k -> new ArrayList<>());
        if (list.size() >= PER_FLOW) {
            return false;
        }
        list.add(copy);
        return true;
    }

    /**
     * The copies held for a new session's control flow, in arrival order, and forgets them. They
     * were filed by a guess (the lower port is the server's), so both orientations are looked up.
     */
    List<Held> take(ControlFlow flow) {
        if (held.isEmpty()) {
            return List.of();
        }
        List<Held> list = held.remove(flow);
        if (list == null) {
            list = held.remove(flow.reversed());
        }
        return list == null ? List.of() : list;
    }
}
