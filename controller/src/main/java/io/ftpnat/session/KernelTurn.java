package io.ftpnat.session;

import io.ftpnat.kernel.AdvertisedAddresses;

import io.ftpnat.kernel.SessionKernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.List;
import java.util.Map;
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
        boolean[] done = new boolean[actions.size()];
        if (actions.isEmpty()) {
            return done;
        }
        synchronized (this) { // one turn at a time: the packet path's repairs and a reconcile's restores do not interleave
            for (int i = 0; i < actions.size(); i++) {
                done[i] = carryOut(actions.get(i));
            }
        }
        return done;
    }

    private boolean carryOut(KernelAction action) {
        if (action instanceof KernelAction.CreateExpectation a) {
            return create(a);
        } else if (action instanceof KernelAction.DeleteExpectation a) {
            return delete(a);
        } else if (action instanceof KernelAction.WatchAdvertised a) {
            return watch(a);
        }
        throw new IllegalArgumentException("unknown kernel action " + action);
    }

    private boolean create(KernelAction.CreateExpectation a) {
        if (a.purpose() == KernelAction.Purpose.RESTORE && !stillWanted(a)) {
            return false; // the channel moved on since the reconcile decided: the next one judges it again
        }
        String failure = null;
        try {
            kernel.createExpectation(a.expectation());
        } catch (NetlinkException ex) {
            if (ex.errno() != EEXIST) { // EEXIST: the very same expectation is there already
                failure = ex.getMessage();
            }
        }
        synchronized (model) {
            FtpSession s = index.byId(a.session());
            if (s != null) {
                if (failure == null) {
                    repairer.created(s, a);
                } else {
                    repairer.createFailed(s, a, failure);
                }
            }
        }
        return failure == null;
    }

    /** A restore a reconcile decided is still right: its channel is still the session's open one. */
    private boolean stillWanted(KernelAction.CreateExpectation a) {
        synchronized (model) {
            FtpSession s = index.byId(a.session());
            ObservedChannel c = s == null || s.closed ? null : s.latestOpen();
            return c != null && c.number() == a.channel();
        }
    }

    private boolean delete(KernelAction.DeleteExpectation a) {
        Tuple tuple = a.expectation().tuple();
        try {
            kernel.deleteExpectation(tuple);
        } catch (NetlinkException ex) {
            log.debug("session {}: could not remove {}: {}", a.session(), tuple, ex.getMessage());
            return false;
        }
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
        return true;
    }

    private boolean watch(KernelAction.WatchAdvertised a) {
        if (a.replaced() != null) {
            advertised.remove(a.replaced().client(), a.replaced().address(), a.replaced().port());
        }
        try {
            advertised.add(a.key().client(), a.key().address(), a.key().port(), RepairPlanner.HELPER_TIMEOUT);
            return true;
        } catch (Exception e) {
            synchronized (model) {
                FtpSession s = index.byId(a.session());
                if (s != null) {
                    repairer.watchFailed(s, a, e.getMessage());
                }
            }
            return false;
        }
    }
}
