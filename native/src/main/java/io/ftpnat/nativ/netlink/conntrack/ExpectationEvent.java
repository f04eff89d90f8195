package io.ftpnat.nativ.netlink.conntrack;

/** A change of the expectation table (the kernel never sends expectation updates). */
public record ExpectationEvent(Type type, Expectation expectation) {
    public enum Type { NEW, DESTROY }
}
