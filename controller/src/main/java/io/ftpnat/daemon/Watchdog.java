package io.ftpnat.daemon;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's watchdog (WatchdogSec=): WATCHDOG=1 every third of the interval, but only while the
 * daemon's loops answer. Each tick runs the probes on a probe thread (they take the locks the
 * daemon's loops take: the session model's, the policy controller's) and pings only if all of them
 * returned true within the tick. A wedged daemon (a deadlock, a reload stuck in the kernel, a
 * stopped process) stops pinging and systemd restarts it; a slow one is logged first.
 */
final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    /** A named liveness check: true when that part of the daemon is alive. */
    record Probe(String name, BooleanSupplier alive) {
    }

    private final SystemdNotifier systemd;
    private final List<Probe> probes;
    private final ScheduledExecutorService ticker;
    private final ExecutorService prober;
    private final long tickMillis;
    private Future<String> pending;
    private String lastProblem;

    private Watchdog(SystemdNotifier systemd, Duration interval, List<Probe> probes) {
        this.systemd = systemd;
        this.probes = List.copyOf(probes);
        this.tickMillis = Math.max(100, interval.toMillis() / 3);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "systemd-watchdog"));
        this.prober = Executors.newSingleThreadExecutor(r -> daemonThread(r, "watchdog-probe"));
    }

    /** Starts pinging if systemd asked for a watchdog (WATCHDOG_USEC); otherwise does nothing. */
    static Watchdog start(SystemdNotifier systemd, List<Probe> probes) {
        Duration interval = systemd.watchdog().orElse(null);
        if (interval == null) {
            return null;
        }
        Watchdog w = new Watchdog(systemd, interval, probes);
        w.ticker.scheduleWithFixedDelay(w::tick, 0, w.tickMillis, TimeUnit.MILLISECONDS);
        log.info("systemd watchdog: {} ms, pinging every {} ms while {} answer", interval.toMillis(), w.tickMillis,
                probes.stream().map(Probe::name).toList());
        return w;
    }

    private void tick() {
        try {
            if (pending == null || pending.isDone()) {
                pending = prober.submit(this::probe);
            }
            String problem;
            try {
                problem = pending.get(tickMillis / 2, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                problem = "a probe did not return within " + tickMillis / 2 + " ms";
            }
            if (problem == null) {
                systemd.send("WATCHDOG=1");
                if (lastProblem != null) {
                    log.info("systemd watchdog: the daemon answers again; pinging");
                }
            } else if (!problem.equals(lastProblem)) {
                log.warn("systemd watchdog: not pinging: {}", problem);
            }
            lastProblem = problem;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("systemd watchdog: {}", e.toString());
        }
    }

    /** Null when every probe answered true; else what failed. */
    private String probe() {
        for (Probe p : probes) {
            try {
                if (!p.alive().getAsBoolean()) {
                    return p.name() + " is not alive";
                }
            } catch (RuntimeException e) {
                return p.name() + ": " + e;
            }
        }
        return null;
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        prober.shutdownNow();
    }
}
