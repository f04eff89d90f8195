package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import java.time.Instant;

/**
 * One data channel of an observed session (the kernel helper's), from its negotiation to its data
 * connection: its lifecycle as the observer and the kernel's tables show it. Immutable: the model
 * replaces it as the channel moves on ({@code with*}).
 *
 * <p>Not the ALG's {@code alg.ChannelElement}: that one is a proxied session's data path, an nft
 * map element (match, DNAT target, SNAT source) the ALG writes itself; this one is a negotiation the
 * daemon watched pass through the router and the kernel expectation that answers it. The API reads
 * neither: the registry converts both to its one {@code registry.DataChannel}.
 *
 * @param plan        what the kernel should hold for it (and why)
 * @param expectation the expectation seen in (or put into) the kernel: the channel "after NAT"
 * @param repairMicros for a repair: microseconds from the negotiation's copy to the expectation in the kernel
 */
public record ObservedChannel(int number, Negotiation negotiation, ChannelPlan plan, State state, Expectation expectation,
                              Conntrack data, String note, long repairMicros, Instant changed) {
    public enum State {
        /** negotiated, the expectation is in the kernel (the kernel's or ours) */
        EXPECTED,
        /** negotiated, no expectation in the kernel (yet) */
        PENDING,
        /** the data connection came (RELATED to the control connection) */
        CONNECTED,
        /** no expectation will be made (see the plan) */
        REFUSED,
        /** the daemon's expectation could not be created */
        FAILED,
        /** a later negotiation replaced it, or the helper's timeout passed */
        ENDED
    }

    public ObservedChannel {
        if (note != null && note.length() > FtpSession.NOTE_CHARS) {
            note = note.substring(0, FtpSession.NOTE_CHARS) + "…"; // notes grow by "; ..." as the channel moves on
        }
    }

    public int port() {
        return negotiation.offer().port();
    }

    // every change is stamped with the model's clock ({@code at}): the reconcile's timeouts compare with it

    ObservedChannel with(State s, String n, Instant at) {
        return new ObservedChannel(number, negotiation, plan, s, expectation, data, n == null ? note : n, repairMicros, at);
    }

    ObservedChannel withExpectation(Expectation e, Instant at) {
        return new ObservedChannel(number, negotiation, plan, State.EXPECTED, e, data, note, repairMicros, at);
    }

    ObservedChannel repaired(Expectation e, long micros, String n, Instant at) {
        return new ObservedChannel(number, negotiation, plan, State.EXPECTED, e, data, n, micros, at);
    }

    ObservedChannel connected(Conntrack c, Instant at) {
        return new ObservedChannel(number, negotiation, plan, State.CONNECTED, expectation, c, note, repairMicros, at);
    }

    boolean open() {
        return state == State.EXPECTED || state == State.PENDING;
    }

    /** Whether {@code e} (an expectation on this channel's master) is this channel's. */
    boolean matches(Expectation e) {
        int p = port();
        return e.tuple().dstPort() == p || e.nat() != null && e.nat().port() == p;
    }

    /** Whether {@code c} (a connection whose master is this channel's) is this channel's data connection. */
    boolean matches(Conntrack c) {
        return c.reply() != null && c.reply().srcPort() == port() || c.original().dstPort() == port();
    }
}
