package io.ftpnat.daemon;

import io.ftpnat.kernel.ControlPackets;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.log.NflogHandler;
import io.ftpnat.ruleset.RulesetRenderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread {@code control-packets}: reads the NFLOG copies of FTP control segments into the
 * session model and, when replies are held ({@link HoldService}), serves the hold on the same
 * thread. One poll waits on both sockets; copies are read first. So the copies ahead of a held
 * reply (its PASV's, usually, and its own) have been read, and any repair they call for is in the
 * kernel, by the time the held reply is judged: one thread wakes per reply, with no hand-off to
 * another thread and no lock between two readers. (Two threads, one per socket, put a second
 * wake-up on a 2-core router's run queue in the reply's path: docs/benchmarks.md, #13.)
 *
 * <p>Nothing here can stop the daemon: a failed NFLOG socket is reopened every 5 s; meanwhile held
 * replies go on at once, since nothing can read them.
 */
final class ControlPacketLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPacketLoop.class);
    /** Datagrams read per turn before the hold is looked at again (each one or a few copies). */
    static final int COPIES_PER_TURN = 32;
    static final int IDLE_POLL_MILLIS = 200;
    static final int REOPEN_MILLIS = 5000;

    private final ControlPackets control;
    private final NflogHandler copies;
    private final HoldService hold;
    private final int nice;
    private volatile boolean running = true;
    private volatile String problem;
    private ControlPackets.Source source;
    private Thread thread;

    /**
     * @param hold the hold to serve, or null when replies are not held
     * @param nice the thread's nice value (0: as the rest of the daemon)
     */
    ControlPacketLoop(ControlPackets control, NflogHandler copies, HoldService hold, int nice) {
        this.control = control;
        this.copies = copies;
        this.hold = hold;
        this.nice = nice;
    }

    void start() {
        thread = new Thread(this::run, "control-packets");
        thread.setDaemon(true);
        thread.start();
    }

    /** Why the NFLOG socket is not being read, or null while it is. */
    String problem() {
        return problem;
    }

    private void run() {
        prioritize();
        int failures = 0;
        while (running) {
            try (ControlPackets.Source s = control.open()) {
                problem = null;
                log.info("observing FTP control channels on NFLOG group {}{}", RulesetRenderer.OBSERVE_GROUP,
                        hold == null ? "" : ", serving the hold on the same thread");
                failures = 0;
                source = s;
                while (running) {
                    turn(s);
                }
            } catch (VirtualMachineError e) {
                io.ftpnat.alg.Fatal.halt("control-channel observer", e);
            } catch (NetlinkException | RuntimeException | Error e) {
                problem = e.getMessage();
                if (failures++ == 0) {
                    log.error("the control-channel observer failed ({}); retrying every {} s", e.getMessage(), REOPEN_MILLIS / 1000);
                }
                source = null;
                if (hold != null) {
                    hold.serveWithoutCopies(REOPEN_MILLIS, () -> running);
                } else {
                    sleep(REOPEN_MILLIS);
                }
            } finally {
                source = null;
            }
        }
    }

    private void prioritize() {
        if (nice == 0) {
            return;
        }
        try {
            ControlPackets.runCurrentThreadAt(nice);
            log.info("thread control-packets runs at nice {}", nice);
        } catch (NetlinkException e) {
            log.warn("cannot run thread control-packets at nice {} ({}: it needs CAP_SYS_NICE or LimitNICE={} in the unit);"
                    + " on a busy router a held reply may wait behind other work", nice, e.getMessage(), nice);
        }
    }

    private void turn(ControlPackets.Source s) throws NetlinkException {
        int timeout = hold == null ? IDLE_POLL_MILLIS : hold.millisToNextDeadline(IDLE_POLL_MILLIS);
        ControlPackets.Ready ready = s.await(hold == null ? null : hold.segments(), timeout);
        long since = System.nanoTime();
        if (ready.copies()) {
            s.drain(copies, COPIES_PER_TURN);
        }
        if (hold != null) {
            if (ready.held()) {
                hold.takeHeld(this::readWaitingCopies);
                hold.turnTook((System.nanoTime() - since) / 1000); // copies and repairs included: the daemon's share of a reply's hold
            }
            hold.releaseOverdue();
        }
    }

    /** The copies that arrived since the turn began (a held reply's own, often): read now, on this thread. */
    private int readWaitingCopies() {
        ControlPackets.Source s = source;
        if (s == null) {
            return 0;
        }
        try {
            return s.drain(copies, COPIES_PER_TURN);
        } catch (NetlinkException e) {
            return 0; // the turn's own read meets the same failure, and reports it
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
