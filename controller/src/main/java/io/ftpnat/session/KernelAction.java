package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;

import io.ftpnat.kernel.SessionKernel;

import io.ftpnat.nativ.netlink.conntrack.Expectation;

/**
 * One change the session model asks of the kernel. The model's parts decide (under its lock, as
 * pure functions of its state and the kernel's dumps); {@link SessionModel} carries the actions out
 * through {@link SessionKernel} and {@link AdvertisedAddresses} outside its lock, one at a time,
 * and then records each outcome. Every way the session model changes the kernel is listed here.
 */
sealed interface KernelAction {
    /** The session the action is for (its log lines and notes carry it). */
    String session();

    /** Why an expectation is created: the outcome is counted and noted differently. */
    enum Purpose {
        /** a negotiation the kernel helper will not expect, that the policy lets ftpnatd repair */
        REPAIR,
        /** a repaired channel's expectation moved to where a client that trusts the 227 goes */
        FOLLOW,
        /** a channel's expectation (the kernel's own, or a repair) gone from the kernel: drift, put back */
        RESTORE
    }

    /** Why an expectation is removed. */
    enum Reason {
        /** on a session's master, belonging to no open channel (or taking the only slot of one) */
        STRAY,
        /** of a control connection that is closing */
        ORPHAN
    }

    /** Create {@code expectation} for channel {@code channel}; {@code micros}: the negotiation's kernel timestamp (µs), or -1. */
    record CreateExpectation(String session, int channel, Expectation expectation, Purpose purpose, String note, long micros)
            implements KernelAction {
    }

    record DeleteExpectation(String session, Expectation expectation, Reason reason, String why) implements KernelAction {
    }

    /** Watch {@code key} (nft set advertised4/6) for the session, removing {@code replaced} (its previous watch) if not null. */
    record WatchAdvertised(String session, AdvertisedKey key, AdvertisedKey replaced) implements KernelAction {
    }
}
