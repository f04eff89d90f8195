package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.TcpState;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reconcile's decision, as a pure function: the model's open sessions and fresh dumps of the
 * kernel's tables in, a {@link Diff} out: how the sessions' channels move on (data connection seen,
 * timed out, expectation found) and which expectations to create or delete. It changes nothing;
 * {@link SessionModel#reconcile} applies the channel updates under its lock and carries the kernel
 * actions out after releasing it.
 *
 * <p>What it restores: only a channel whose expectation the kernel itself made (seen in an event or a
 * dump) or a repair ftpnatd owns. A negotiation the kernel helper refused is never "restored": after
 * {@link #KERNEL_GRACE} it is diagnosed ({@link #KERNEL_MADE_NONE}) and left alone.
 */
final class Reconciler {
    /** A kernel-made expectation should be there this soon after its negotiation passed the router. */
    static final Duration KERNEL_GRACE = Duration.ofMillis(500);
    /**
     * An expectation the kernel made in the last this many seconds is never taken for a stray: the
     * NFLOG copy of the line that caused it and the kernel's event travel on different sockets and
     * threads, and under load the copy can arrive well after a reconcile that the event triggered.
     */
    static final int STRAY_MIN_AGE_SECONDS = 10;
    static final String KERNEL_MADE_NONE = "the kernel holds no expectation for it (the helper did not take it); ftpnatd creates none in its place";

    private Reconciler() {
    }

    /** A channel's new value, and a note for its session (or null). */
    record ChannelUpdate(FtpSession session, ObservedChannel channel, String sessionNote) {
    }

    /** What a reconcile found: channel updates (for the model), then actions (for the kernel), in the order to carry them out. */
    record Diff(List<ChannelUpdate> updates, List<KernelAction> actions) {
    }

    /**
     * @param sessions     the model's sessions (closed ones are skipped)
     * @param data         the kernel's data connections by master tuple
     * @param expectations the kernel's expectations by master tuple
     * @param dumped       when the dumps began: a channel that changed after it is judged by the next reconcile (the
     *                     dumps may predate its expectation)
     */
    static Diff diff(Collection<FtpSession> sessions, Map<Tuple, List<Conntrack>> data, Map<Tuple, List<Expectation>> expectations,
            Instant dumped, Instant now) {
        List<ChannelUpdate> updates = new ArrayList<>();
        List<KernelAction> actions = new ArrayList<>();
        for (FtpSession s : sessions) {
            if (s.closed) {
                continue;
            }
            List<Expectation> held = expectations.getOrDefault(s.master(), List.of());
            if (closing(s.control)) {
                for (Expectation e : held) {
                    actions.add(new KernelAction.DeleteExpectation(s.id, e, KernelAction.Reason.ORPHAN,
                            "its control connection is closing (" + s.control.tcpState() + "): an orphan"));
                }
                continue;
            }
            ObservedChannel open = s.latestOpen();
            if (open != null && open.changed().isAfter(dumped)) {
                continue;
            }
            if (open != null) {
                ObservedChannel c = open;
                Optional<Conntrack> used = data.getOrDefault(s.master(), List.of()).stream().filter(c::matches).findFirst();
                Optional<Expectation> mine = held.stream().filter(c::matches).findFirst();
                boolean restorable = c.plan().source() == ChannelPlan.Source.REPAIR || c.expectation() != null;
                if (used.isPresent()) {
                    open = update(updates, s, c.connected(used.get(), now), null);
                } else if (c.changed().plusSeconds(RepairPlanner.HELPER_TIMEOUT).isBefore(now)) {
                    open = update(updates, s, c.with(ObservedChannel.State.ENDED, "the helper's timeout passed without a data connection", now),
                            null);
                } else if (mine.isPresent()) {
                    if (c.expectation() == null) {
                        open = update(updates, s, c.withExpectation(mine.get(), now), null);
                    }
                } else if (restorable && held.stream().anyMatch(Reconciler::tooYoungToJudge)) {
                    continue; // the kernel just made another one: likely a newer negotiation the observer has not read yet
                } else if (restorable) {
                    // a repair ftpnatd owns, or the kernel's own expectation (c.expectation() of a KERNEL channel is only
                    // ever set from the kernel's event or dump): never from ftpnatd's parse
                    for (Expectation e : held) { // a stray took the master's only slot (ftp's max_expected is 1)
                        actions.add(new KernelAction.DeleteExpectation(s.id, e, KernelAction.Reason.STRAY,
                                "it took the slot of channel " + c.number() + " (ftp allows one expectation per control connection)"));
                    }
                    Expectation want = c.expectation() != null ? forCreate(c.expectation()) : c.plan().expectation();
                    actions.add(new KernelAction.CreateExpectation(s.id, c.number(), want, KernelAction.Purpose.RESTORE,
                            "expectation for channel " + c.number() + " vanished from the kernel; created again", -1));
                    continue;
                } else if (c.negotiation().seen().plus(KERNEL_GRACE).isBefore(now) && !c.note().contains(KERNEL_MADE_NONE)) {
                    // the kernel helper refused it (or has not made it yet): ftpnatd does not make it in its place
                    update(updates, s, c.with(c.state(), c.note() + "; " + KERNEL_MADE_NONE, now),
                            "channel " + c.number() + ": " + KERNEL_MADE_NONE);
                }
            }
            if (s.observed()) {
                for (Expectation e : held) {
                    if (tooYoungToJudge(e)) {
                        continue; // the observer's copy of the line that made it may still be on its way
                    }
                    if (open == null || !open.matches(e)) {
                        actions.add(new KernelAction.DeleteExpectation(s.id, e, KernelAction.Reason.STRAY,
                                "no open data channel of the session negotiated it"));
                    }
                }
            }
        }
        return new Diff(updates, actions);
    }

    /** Records the update; returns the channel if it is still open (the one the kernel should hold an expectation for), else null. */
    private static ObservedChannel update(List<ChannelUpdate> updates, FtpSession s, ObservedChannel c, String note) {
        updates.add(new ChannelUpdate(s, c, note));
        return c.open() ? c : null;
    }

    /**
     * See {@link #STRAY_MIN_AGE_SECONDS}. Its age is what the helper's fixed timeout has left (the
     * kernel reports the seconds remaining; a timeout of its own, unknown here, makes it look old:
     * judged as before).
     */
    static boolean tooYoungToJudge(Expectation e) {
        return e.timeout() >= 0 && e.timeout() <= RepairPlanner.HELPER_TIMEOUT
                && RepairPlanner.HELPER_TIMEOUT - e.timeout() < STRAY_MIN_AGE_SECONDS;
    }

    static boolean closing(Conntrack c) {
        TcpState t = c.tcpState();
        return t == TcpState.TIME_WAIT || t == TcpState.CLOSE || t == TcpState.LAST_ACK;
    }

    /** An expectation as dumped, made fit for creation again (the kernel's own, restored). */
    static Expectation forCreate(Expectation e) {
        Expectation x = Expectation.create(e.master(), e.tuple(), RepairPlanner.HELPER_TIMEOUT).withMask(e.mask());
        if (e.nat() != null) {
            x = x.withNat(e.nat());
        }
        return x;
    }
}
