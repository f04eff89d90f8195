package io.ftpnat.daemon;

import java.util.concurrent.atomic.AtomicLong;

/** How often the kernel dropped events on the daemon's event streams (ENOBUFS), for status. */
final class EventLoss {
    private final AtomicLong reports = new AtomicLong();

    void record() {
        reports.incrementAndGet();
    }

    long reports() {
        return reports.get();
    }
}
