package io.ftpnat.policy;

/** Who handles a rule's FTP control channel. */
public enum Mode {
    /** The kernel's nf_conntrack_ftp/nf_nat_ftp helper, attached by the rule (the fast path). */
    KERNEL,
    /** ftpnatd's userspace ALG carries the control channel; data stays in the kernel. */
    PROXY;

    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
