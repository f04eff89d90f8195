package io.ftpnat.session;

import io.ftpnat.nativ.netlink.conntrack.Expectation;

/**
 * What a negotiated data channel needs from the kernel: the expectation the kernel helper creates
 * itself ({@link Source#KERNEL}), one the daemon must create because the helper will not
 * ({@link Source#REPAIR}), or none at all ({@link Source#REFUSED}, with the reason).
 *
 * @param expectation the expectation that lets the data connection through (null when refused)
 * @param why         the diagnosis, in the reference document's terms
 */
public record ChannelPlan(Source source, Expectation expectation, String why) {
    public enum Source { KERNEL, REPAIR, REFUSED }
}
