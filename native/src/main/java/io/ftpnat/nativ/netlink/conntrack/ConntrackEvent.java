package io.ftpnat.nativ.netlink.conntrack;

/** A change of the conntrack table, as multicast by the kernel. */
public record ConntrackEvent(Type type, Conntrack conntrack) {
    public enum Type { NEW, UPDATE, DESTROY }
}
