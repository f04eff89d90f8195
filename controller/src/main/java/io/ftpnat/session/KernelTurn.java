package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;

import io.ftpnat.kernel.SessionKernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the session model's {@link KernelAction}s out through the kernel verbs
 * ({@link SessionKernel}, {@link AdvertisedAddresses}): one action at a time, in the order decided,
 * never while holding the model's lock (a slow netlink reply or nft transaction does not stall the
 * observer's packets, the events or the API's queries). Each outcome is then recorded under the
 * model's lock. This is the one place the session model changes the kernel.
 */
final class KernelTurn {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);
    private static final int EEXIST = 17;

    private final SessionKernel kernel;
    private final AdvertisedAddresses advertised;
    /** The model's lock: outcomes are recorded under it. */
    private final Object model;
    private final SessionIndex index;
    private final Repairer repairer;
    private final SessionListeners listeners;

    KernelTurn(SessionKernel kernel, AdvertisedAddresses advertised, Object model, SessionIndex index, Repairer repairer,
            SessionListeners listeners) {
        this.kernel = kernel;
        this.advertised = advertised;
        this.model = model;
        this.index = index;
        this.repairer = repairer;
        this.listeners = listeners;
    }

    /** Carries the actions out in order; returns, per action, whether the kernel did it. The caller must not hold the model's lock. */
    boolean[] carryOut(List<KernelAction> actions) {
        return carryOut(actions, () -> { });
    }

    /**
     * As {@link #carryOut(List)}, and runs {@code kernelDone} once every action's kernel call has
     * returned, before the outcomes are recorded and logged: a held reply waits only for the
     * kernel, not for the model's bookkeeping or a log line.
     */
    boolean[] carryOut(List<KernelAction> actions, Runnable kernelDone) {
        boolean[] done = new boolean[actions.size()];
        if (actions.isEmpty()) {
            kernelDone.run();
            return done;
        }
        synchronized (this) { // one turn at a time: the packet path's repairs and a reconcile's restores do not interleave
            Runnable[] outcomes = new Runnable[actions.size()];
            for (int i = 0; i < actions.size(); i++) {
                int at = i;
                outcomes[i] = carryOut(actions.get(i), ok -> done[at] = ok);
            }
            kernelDone.run();
            for (Runnable outcome : outcomes) {
                outcome.run();
            }
        }
        return done;
    }

    /** Makes the kernel call now and says whether it succeeded; returns how to record the outcome (later). */
    private Runnable carryOut(KernelAction action, java.util.function.Consumer<Boolean> result) {
        if (action instanceof KernelAction.CreateExpectation a) {
            return create(a, result);
        } else if (action instanceof KernelAction.DeleteExpectation a) {
            return delete(a, result);
        } else if (action instanceof KernelAction.WatchAdvertised a) {
            return watch(a, result);
        }
        throw new IllegalArgumentException("unknown kernel action " + action);
    }

    private Runnable create(KernelAction.CreateExpectation a, java.util.function.Consumer<Boolean> result) {
        if (a.purpose() == KernelAction.Purpose.RESTORE && !stillWanted(a)) {
            result.accept(false);
            return () -> { }; // the channel moved on since the reconcile decided: the next one judges it again
        }
        String failure = null;
        try {
            kernel.createExpectation(a.expectation());
        } catch (NetlinkException ex) {
            if (ex.errno() != EEXIST) { // EEXIST: the very same expectation is there already
                failure = ex.getMessage();
            }
        }
        String failed = failure;
        result.accept(failed == null);
        return () -> {
            synchronized (model) {
                FtpSession s = index.byId(a.session());
                if (s != null) {
                    if (failed == null) {
                        repairer.created(s, a);
                    } else {
                        repairer.createFailed(s, a, failed);
                    }
                }
            }
        };
    }

    /** A restore a reconcile decided is still right: its channel is still the session's open one. */
    private boolean stillWanted(KernelAction.CreateExpectation a) {
        synchronized (model) {
            FtpSession s = index.byId(a.session());
            ObservedChannel c = s == null || s.closed ? null : s.latestOpen();
            return c != null && c.number() == a.channel();
        }
    }

    private Runnable delete(KernelAction.DeleteExpectation a, java.util.function.Consumer<Boolean> result) {
        Tuple tuple = a.expectation().tuple();
        try {
            kernel.deleteExpectation(tuple);
        } catch (NetlinkException ex) {
            result.accept(false);
            return () -> log.debug("session {}: could not remove {}: {}", a.session(), tuple, ex.getMessage());
        }
        result.accept(true);
        return () -> {
            synchronized (model) {
                FtpSession s = index.byId(a.session());
                if (s != null) {
                    s.note("removed the expectation " + tuple + ": " + a.why());
                    try (SessionMdc mdc = SessionMdc.of(s)) {
                        log.info("session {}: removed expectation {}: {}", s.id, tuple, a.why());
                    }
                    listeners.emit("session-stray-removed", s, tuple.toString());
                }
            }
        };
    }

    private Runnable watch(KernelAction.WatchAdvertised a, java.util.function.Consumer<Boolean> result) {
        if (a.replaced() != null) {
            advertised.remove(a.replaced().client(), a.replaced().address(), a.replaced().port());
        }
        try {
            advertised.add(a.key().client(), a.key().address(), a.key().port(), RepairPlanner.HELPER_TIMEOUT);
            result.accept(true);
            return () -> { };
        } catch (Exception e) {
            result.accept(false);
            return () -> {
                synchronized (model) {
                    FtpSession s = index.byId(a.session());
                    if (s != null) {
                        repairer.watchFailed(s, a, e.getMessage());
                    }
                }
            };
        }
    }
}
