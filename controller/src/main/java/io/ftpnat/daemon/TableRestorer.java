package io.ftpnat.daemon;

import io.ftpnat.kernel.TableWatch;
import io.ftpnat.kernel.RulesetException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nftables restart trap: a start, restart or stop of nftables.service (its configuration begins
 * with "flush ruleset") or any "nft flush ruleset" removes ftpnat's table, and FTP
 * through the router silently stops being helped. The daemon puts the policy in force back at once
 * and says so (log line, {@code ftpnat_table_restores_total}). It does not fight an operator who
 * removed the table on purpose with {@code ftpnatd flush} / {@code ftpnatctl policy flush}: that
 * marks the daemon "flushed" until the next apply (docs/install.md, "The nftables restart trap").
 *
 * <p>Bounded: at most {@link #MAX_PER_WINDOW} restores a minute. Beyond that something keeps
 * deleting the table (a script in a loop, another daemon that owns the ruleset); the daemon stops
 * restoring, logs it once, and waits for the next apply or the next minute.
 */
final class TableRestorer implements TableWatch.Handler {
    private static final Logger log = LoggerFactory.getLogger(TableRestorer.class);
    static final int MAX_PER_WINDOW = 10;
    static final long WINDOW_MILLIS = 60_000;

    private final PolicyController policies;
    private final String table;
    private final Clock clock;
    private final Deque<Long> recent = new ArrayDeque<>();
    private boolean warnedLimit;

    TableRestorer(PolicyController policies, String table, Clock clock) {
        this.policies = policies;
        this.table = table;
        this.clock = clock;
    }

    @Override
    public void gone(String by) {
        restore("removed by " + by);
    }

    @Override
    public void maybeGone() {
        restore("nf_tables notifications were lost");
    }

    synchronized void restore(String why) {
        if (policies.flushed()) {
            log.info("table inet {} {}: not restored, it was flushed on purpose ('ftpnatd flush'); the next policy apply"
                    + " puts it back", table, why);
            return;
        }
        long now = clock.millis();
        while (!recent.isEmpty() && now - recent.peekFirst() > WINDOW_MILLIS) {
            recent.removeFirst();
            warnedLimit = false;
        }
        if (recent.size() >= MAX_PER_WINDOW) {
            if (!warnedLimit) {
                warnedLimit = true;
                log.error("table inet {} {}: restored {} times within a minute already; something keeps deleting it."
                        + " Not restoring for now: find what flushes the ruleset, then 'systemctl reload ftpnatd'",
                        table, why, recent.size());
            }
            return;
        }
        try {
            var again = policies.restore();
            if (again.isPresent()) {
                recent.addLast(now);
                log.warn("table inet {} {} (nft flush ruleset? a start or restart of nftables.service?): applied policy"
                        + " digest {} again", table, why, again.get().ruleset().digest());
            }
        } catch (RulesetException e) {
            log.error("table inet {} {}; applying the policy again failed: {}", table, why, e.getMessage());
        }
    }
}
