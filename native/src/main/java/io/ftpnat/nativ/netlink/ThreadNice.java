package io.ftpnat.nativ.netlink;

/**
 * The niceness of the calling thread (setpriority(2) on its thread id: on Linux a nice value
 * belongs to a thread). Below 0 needs CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd's
 * {@code LimitNICE=}); above 0 anyone may.
 */
public final class ThreadNice {
    private static final int PRIO_PROCESS = 0;

    private ThreadNice() {
    }

    /** Sets the calling thread's nice value (-20..19). */
    public static void setCurrent(int nice) throws NetlinkException {
        if (nice < -20 || nice > 19) {
            throw new IllegalArgumentException("nice must be -20..19: " + nice);
        }
        int tid = KernelTransport.LIBC.gettid();
        if (KernelTransport.LIBC.setpriority(PRIO_PROCESS, tid, nice) != 0) {
            throw new NetlinkException("setpriority(thread " + tid + ", " + nice + ")", KernelTransport.RUNTIME.getLastError());
        }
    }

    /** The calling thread's nice value. */
    public static int current() {
        return KernelTransport.LIBC.getpriority(PRIO_PROCESS, KernelTransport.LIBC.gettid());
    }
}
