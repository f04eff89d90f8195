package io.ftpnat.daemon;

import java.util.Locale;

/**
 * Where the daemon is in its life, told to systemd (sd_notify: READY=1, RELOADING=1, STOPPING=1,
 * STATUS=) and to API clients ({@code status} answers {@code state}). Ready means: the policy is
 * in the kernel and the session model has rebuilt itself from the kernel's tables.
 */
final class ServiceState {
    enum State {
        STARTING, READY, RELOADING, STOPPING;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final SystemdNotifier systemd;
    private volatile State state = State.STARTING;

    ServiceState(SystemdNotifier systemd) {
        this.systemd = systemd;
    }

    State state() {
        return state;
    }

    boolean ready() {
        return state == State.READY;
    }

    /** STATUS= only: what an operator reads in {@code systemctl status}. */
    void status(String status) {
        systemd.send("STATUS=" + oneLine(status));
    }

    void ready(String status) {
        state = State.READY;
        systemd.send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** Before a reload (SIGHUP); {@link #ready} after it, whatever its outcome. */
    void reloading(String status) {
        state = State.RELOADING;
        // MONOTONIC_USEC: what systemd (Type=notify-reload) asks with RELOADING=1; ignored by older ones.
        systemd.send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=" + oneLine(status));
    }

    void stopping(String status) {
        state = State.STOPPING;
        systemd.send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /** A failed start: systemd shows the status (and ERRNO=) with the unit's failure. */
    void failed(String status) {
        systemd.send("STATUS=" + oneLine(status));
    }

    /** The notify protocol is newline-separated assignments: a status is one line, bounded. */
    static String oneLine(String s) {
        String line = s.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return line.length() > 400 ? line.substring(0, 397) + "..." : line;
    }
}
