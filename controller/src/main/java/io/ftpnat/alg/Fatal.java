package io.ftpnat.alg;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do with a {@link VirtualMachineError} (out of memory, stack overflow, an internal error):
 * the JVM can no longer be trusted to run the daemon, so it is logged and the process halts with a
 * non-zero code, and systemd ({@code Restart=on-failure}) starts a fresh one. A daemon that stays
 * up with a dead accept thread would serve nobody and tell nobody.
 */
public final class Fatal {
    /** Exit code of a halt for a JVM failure (distinct from the daemon's documented codes 0-3). */
    public static final int EXIT_CODE = 70;
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);

    private Fatal() {
    }

    /** Logs and halts. {@code Runtime.halt}: shutdown hooks could need the memory that ran out. */
    public static void halt(String where, Throwable e) {
        try {
            log.error("{}: {}; the JVM can no longer be trusted, exiting with {} so the service manager restarts ftpnatd", where, e,
                    EXIT_CODE);
            System.err.flush();
            System.out.flush();
        } catch (Throwable ignored) {
            // nothing more to be done
        } finally {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    /** For threads without a handler of their own: a JVM failure halts, another Error or exception is logged. */
    public static void uncaught(Thread t, Throwable e) {
        if (e instanceof VirtualMachineError) {
            halt("thread " + t.getName(), e);
        } else {
            try {
                log.error("thread {} died: {}", t.getName(), e.toString(), e);
            } catch (Throwable ignored) {
                // logging failed too
            }
        }
    }
}
