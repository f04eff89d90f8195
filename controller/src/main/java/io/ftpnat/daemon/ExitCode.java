package io.ftpnat.daemon;

/** Exit codes scripts (and Ansible's validate:) can rely on. */
public final class ExitCode {
    public static final int OK = 0;
    /** The policy is invalid: the message names file, line and field. */
    public static final int INVALID_POLICY = 1;
    /** The command line is wrong (picocli's usage error). */
    public static final int USAGE = 2;
    /** The kernel lacks a capability or refused the ruleset; nothing was changed. */
    public static final int KERNEL = 3;

    private ExitCode() {
    }
}
