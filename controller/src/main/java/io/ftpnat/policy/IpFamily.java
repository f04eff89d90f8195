package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/** IPv4 or IPv6, with the words nftables uses for each. */
public enum IpFamily {
    IPV4("ip", 32),
    IPV6("ip6", 128);

    private final String nftFamily;
    private final int bits;

    IpFamily(String nftFamily, int bits) {
        this.nftFamily = nftFamily;
        this.bits = bits;
    }

    public static IpFamily of(IpAddress address) {
        return address.v6() ? IPV6 : IPV4;
    }

    /** {@code ip} or {@code ip6}: the payload protocol in matches and the family in NAT statements. */
    public String nft() {
        return nftFamily;
    }

    public int bits() {
        return bits;
    }

    @Override
    public String toString() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
