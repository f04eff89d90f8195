package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions the model holds, found every way a packet, an event or a query names one: by id
 * (the kernel's id of the control connection), by master tuple (conntrack and expectation
 * events), by control flow (the observer's copies), by advertised address (a client following a
 * repaired 227), and in order of activity (the least recently active is shed at the cap). Mutable;
 * used under the model's lock. Every map holds the same sessions: {@link #add} and {@link #forget}
 * keep them in step.
 */
final class SessionIndex {
    private final Map<String, FtpSession> byId = new LinkedHashMap<>();
    /** The same sessions, least recently active first (access order): the one shed at the cap. */
    private final LinkedHashMap<String, FtpSession> activity = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Tuple, FtpSession> byMaster = new HashMap<>();
    private final Map<ControlFlow, FtpSession> byFlow = new HashMap<>();
    /** Where repaired 227s pointed: at most one key per session (its latest repaired channel). */
    private final Map<AdvertisedKey, FtpSession> byAdvertised = new HashMap<>();
    /** Sessions admitted so far: each gets the next number ({@link FtpSession#admitted}). */
    private long admissions;

    static ControlFlow flowOf(Conntrack c) {
        return new ControlFlow(c.original().src(), c.original().srcPort(), c.reply().src(), c.reply().srcPort());
    }

    int size() {
        return byId.size();
    }

    /** Insertion order (the API lists sessions as they came). */
    Collection<FtpSession> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    FtpSession byId(String id) {
        return byId.get(id);
    }

    FtpSession byMaster(Tuple master) {
        return master == null ? null : byMaster.get(master);
    }

    FtpSession byFlow(ControlFlow flow) {
        return byFlow.get(flow);
    }

    FtpSession byAdvertised(AdvertisedKey key) {
        return byAdvertised.get(key);
    }

    /** How many sessions were admitted so far: a session admitted later has a higher {@link FtpSession#admitted}. */
    long admissions() {
        return admissions;
    }

    void add(FtpSession s) {
        s.admitted = ++admissions;
        byId.put(s.id, s);
        activity.put(s.id, s);
        byMaster.put(s.master(), s);
        byFlow.put(flowOf(s.control), s);
    }

    /** Marks {@code s} as just active (it moves to the end of the shedding order). */
    void touch(FtpSession s) {
        activity.get(s.id);
    }

    FtpSession leastRecentlyActive() {
        return activity.values().iterator().next();
    }

    void forget(FtpSession s) {
        byId.remove(s.id, s);
        activity.remove(s.id, s);
        byMaster.remove(s.master(), s);
        byFlow.remove(flowOf(s.control), s);
        if (s.advertised != null) {
            byAdvertised.remove(s.advertised, s);
        }
    }

    /** Sets the session's one watched advertised address; returns the previous one it replaced (null if none or the same). */
    AdvertisedKey watch(FtpSession s, AdvertisedKey key) {
        AdvertisedKey previous = s.advertised;
        if (previous != null && !previous.equals(key)) {
            byAdvertised.remove(previous, s);
        } else {
            previous = null;
        }
        s.advertised = key;
        byAdvertised.put(key, s);
        return previous;
    }

    /** Forgets sessions closed for longer than {@code kept} before {@code now}; every closed one when {@code now} is null. */
    void purgeClosed(Instant now, Duration kept) {
        for (FtpSession s : new ArrayList<>(byId.values())) {
            if (s.closed && (now == null || s.closedAt.plus(kept).isBefore(now))) {
                forget(s);
            }
        }
    }
}
