package io.ftpnat.kernel;

/**
 * The kernel refused a ruleset command (libnftables' own error text, which names the line and marks
 * the column, is in the message), or the command could not be run. The verbs of {@link KernelRuleset}
 * throw it so that no package outside the kernel boundary needs libnftables' types.
 */
public final class RulesetException extends Exception {
    public RulesetException(String message) {
        super(message);
    }

    public RulesetException(String message, Throwable cause) {
        super(message, cause);
    }
}
