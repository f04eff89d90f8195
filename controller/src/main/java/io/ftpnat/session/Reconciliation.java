package io.ftpnat.session;

import io.ftpnat.kernel.SessionKernel;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session model's reconcile ({@link SessionModel#reconcile(boolean, boolean, boolean)}): the
 * dumps and the kernel actions outside the model's lock, the decision ({@link Reconciler#diff})
 * and the adoption of what the model missed under it. Its own class so the model stays a list of
 * entry points; it shares the model's parts and lock, as {@link KernelTurn} does.
 */
final class Reconciliation {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);

    /** A session the dump adopted, with what reading its early copies called for. */
    private record Adoption(String session, List<KernelAction> actions, List<TcpSegment> replayed) {
    }

    private final SessionModel model;
    private final SessionKernel kernel;
    private final Clock clock;
    private final ModelCounts counts;
    private final SessionIndex index;
    private final SessionLifecycle lifecycle;
    private final KernelTurn turn;

    Reconciliation(SessionModel model, SessionKernel kernel, Clock clock, ModelCounts counts, SessionIndex index, SessionLifecycle lifecycle,
            KernelTurn turn) {
        this.model = model;
        this.kernel = kernel;
        this.clock = clock;
        this.counts = counts;
        this.index = index;
        this.lifecycle = lifecycle;
        this.turn = turn;
    }

    ReconcileReport run(boolean initial, boolean afterLoss, boolean full) throws NetlinkException {
        long t0 = System.nanoTime(); // the reconcile's own duration, for the report: not the model's time
        Map<Tuple, Conntrack> controls = new HashMap<>();
        Map<Tuple, List<Conntrack>> data = new HashMap<>();
        boolean fromModel = !full && !initial && !afterLoss;
        long admittedBefore;
        Instant dumped;
        synchronized (model) {
            admittedBefore = index.admissions();
            dumped = clock.instant();
            if (fromModel) {
                for (FtpSession s : index.all()) {
                    if (!s.closed) {
                        controls.put(s.master(), s.control);
                        data.put(s.master(), new ArrayList<>(s.data));
                    }
                }
            }
        }
        if (!fromModel) {
            KernelDumps.controls(kernel, controls, data);
        }
        Map<Tuple, List<Expectation>> expectations = new HashMap<>();
        int expectationCount = KernelDumps.expectations(kernel, expectations);
        int adopted = 0;
        List<Adoption> adoptions = new ArrayList<>(0);
        Reconciler.Diff diff;
        synchronized (model) {
            counts.reconciles++;
            if (afterLoss) {
                counts.resyncs++;
            }
            Instant now = clock.instant();
            for (Conntrack c : controls.values()) {
                FtpSession s = lifecycle.current(c);
                if (s == null) {
                    // the dump met it before its event did: the copies that came before it are read now, as the event would
                    List<KernelAction> actions = new ArrayList<>(0);
                    List<TcpSegment> replayed = new ArrayList<>(0);
                    s = model.adopt(c, initial, false, actions, replayed);
                    if (s == null) {
                        continue; // the table is full: the kernel's session stays unobserved (counted)
                    }
                    if (!actions.isEmpty() || !replayed.isEmpty()) {
                        adoptions.add(new Adoption(s.id, actions, replayed));
                    }
                    adopted++;
                } else {
                    s.control = c;
                }
                for (Conntrack d : data.getOrDefault(c.original(), List.of())) {
                    s.addData(d);
                    s.connect(d, now);
                }
            }
            for (FtpSession s : new ArrayList<>(index.all())) {
                // a session admitted after the dump began is not in it: not gone, just newer than the dump
                if (!s.closed && !controls.containsKey(s.master()) && s.admitted <= admittedBefore) {
                    lifecycle.close(s);
                }
            }
            diff = Reconciler.diff(index.all(), data, expectations, dumped, now);
            for (Reconciler.ChannelUpdate u : diff.updates()) {
                u.session().replace(u.channel());
                if (u.sessionNote() != null) {
                    u.session().note(u.sessionNote());
                }
            }
        }
        for (Adoption a : adoptions) {
            model.carryOutAdoption(a.session(), a.actions(), a.replayed());
        }
        boolean[] done = turn.carryOut(diff.actions());
        int created = 0;
        int removed = 0;
        int orphaned = 0;
        for (int i = 0; i < done.length; i++) {
            KernelAction a = diff.actions().get(i);
            if (a instanceof KernelAction.CreateExpectation) {
                created++; // tried: a failure is counted and diagnosed on its channel
            } else if (a instanceof KernelAction.DeleteExpectation d && done[i]) {
                if (d.reason() == KernelAction.Reason.ORPHAN) {
                    orphaned++;
                } else {
                    removed++;
                }
            }
        }
        synchronized (model) {
            index.purgeClosed(clock.instant(), SessionModel.CLOSED_KEPT);
            counts.driftStray += removed;
            counts.orphans += orphaned;
        }
        ReconcileReport report = new ReconcileReport(controls.size(), expectationCount, adopted, created, removed, orphaned,
                (System.nanoTime() - t0) / 1000);
        if (adopted + created + removed + orphaned > 0 || afterLoss || initial) {
            log.info("reconcile{}: {}", afterLoss ? " after lost events" : initial ? " (start)" : "", report);
        }
        return report;
    }
}
