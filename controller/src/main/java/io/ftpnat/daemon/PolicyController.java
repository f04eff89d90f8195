package io.ftpnat.daemon;

import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import io.ftpnat.ruleset.Ruleset;
import io.ftpnat.ruleset.RulesetRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place the daemon's policy changes: from the file (start, SIGHUP) or from a client
 * (policy apply over the socket). Changes are serialised; each is load, validate, render, apply as
 * one kernel transaction. A failure at any step leaves the kernel, the policy file and
 * {@link #current()} as they were.
 */
public final class PolicyController {
    private final Path policyFile;
    private final PolicyLoader loader;
    private final RulesetRenderer renderer;
    private final KernelRuleset kernel;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile AppliedPolicy current;
    /** The table was removed on purpose (policy.flush, 'ftpnatd flush'): not restored until the next apply. */
    private volatile boolean flushed;
    private final AtomicLong restored = new AtomicLong();
    private final java.util.List<java.util.function.Consumer<AppliedPolicy>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PolicyController(Path policyFile, PolicyLoader loader, RulesetRenderer renderer, KernelRuleset kernel) {
        this.policyFile = policyFile;
        this.loader = loader;
        this.renderer = renderer;
        this.kernel = kernel;
    }

    /**
     * Called after every successful apply, and after a rollback with the policy put back, on the
     * applying thread (the userspace ALG follows the policy's proxy rules). The run-time elements
     * need no listener: the apply carried them into the new table in the same transaction.
     */
    public void onApplied(java.util.function.Consumer<AppliedPolicy> listener) {
        listeners.add(listener);
    }

    /** Applies the policy file as it is now. */
    public synchronized AppliedPolicy applyFile() throws PolicyException, RulesetException {
        try {
            return install(loader.load(policyFile), readQuietly());
        } catch (PolicyException | RulesetException e) {
            rejected.incrementAndGet();
            throw e;
        }
    }

    /**
     * Applies a policy given as text and, once the kernel has it, writes it to the policy file
     * (atomically, by rename) so a restart serves the same policy. If the file cannot be written the
     * previous ruleset is put back, so kernel and file never disagree. {@code label} names the text
     * in error messages (the client's file name).
     */
    public synchronized AppliedPolicy applyText(String yaml, String label) throws PolicyException, RulesetException, IOException {
        Policy policy;
        try {
            policy = loader.parse(yaml, label);
        } catch (PolicyException e) {
            rejected.incrementAndGet();
            throw e;
        }
        AppliedPolicy before = current;
        AppliedPolicy next = install(policy, yaml);
        try {
            writeAtomically(policyFile, yaml);
        } catch (IOException e) {
            if (before != null) {
                kernel.apply(before.ruleset());
                current = before;
                // the listeners followed the new policy: they follow the old one back, so they stay in step with the kernel
                listeners.forEach(l -> l.accept(before));
            }
            throw new IOException("the policy was valid but " + policyFile + " could not be written (" + e.getMessage()
                    + "); the previous ruleset was restored", e);
        }
        return next;
    }

    /** Everything {@link #applyText} does short of committing: the kernel validates it in a dry run. */
    public Ruleset checkText(String yaml, String label) throws PolicyException, RulesetException {
        Ruleset ruleset = renderer.render(loader.parse(yaml, label));
        kernel.check(ruleset);
        return ruleset;
    }

    public Ruleset checkFile() throws PolicyException, RulesetException {
        Ruleset ruleset = renderer.render(loader.load(policyFile));
        kernel.check(ruleset);
        return ruleset;
    }

    /**
     * Removes the table on purpose ({@code ftpnatd flush}): the daemon then does not put it back
     * when it sees it gone, until a policy is applied again (SIGHUP, policy apply, a restart).
     */
    public synchronized boolean flush(String table) throws RulesetException {
        flushed = true;
        return kernel.flush(table);
    }

    public boolean flushed() {
        return flushed;
    }

    /**
     * Puts the policy in force back after its table disappeared without a flush of ours (an
     * {@code nft flush ruleset}, a start of nftables.service): empty when flushed on purpose, when
     * nothing was ever applied, or when the table is there (our own apply raced the notice).
     */
    public synchronized Optional<AppliedPolicy> restore() throws RulesetException {
        AppliedPolicy now = current;
        if (flushed || now == null || kernel.list(now.ruleset().table(), false).isPresent()) {
            return Optional.empty();
        }
        AppliedPolicy again = install(now.policy(), now.text());
        restored.incrementAndGet();
        return Optional.of(again);
    }

    /** Times {@link #restore()} put the table back. */
    public long restoredCount() {
        return restored.get();
    }

    public Optional<AppliedPolicy> current() {
        return Optional.ofNullable(current);
    }

    public Path policyFile() {
        return policyFile;
    }

    public long appliedCount() {
        return applied.get();
    }

    public long rejectedCount() {
        return rejected.get();
    }

    private AppliedPolicy install(Policy policy, String text) throws RulesetException {
        Ruleset ruleset = renderer.render(policy);
        try {
            kernel.apply(ruleset);
        } catch (RulesetException e) {
            rejected.incrementAndGet();
            throw e;
        }
        applied.incrementAndGet();
        flushed = false;
        current = new AppliedPolicy(policy, ruleset, text, Instant.now());
        AppliedPolicy now = current;
        listeners.forEach(l -> l.accept(now));
        return now;
    }

    private String readQuietly() {
        try {
            return Files.readString(policyFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
