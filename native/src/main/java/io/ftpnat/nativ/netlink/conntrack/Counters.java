package io.ftpnat.nativ.netlink.conntrack;

/** Packet and byte counters of one direction (present when nf_conntrack_acct is on). */
public record Counters(long packets, long bytes) {
}
