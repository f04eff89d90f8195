package io.ftpnat.policy;

import java.net.Inet4Address;
import java.net.InetAddress;

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

    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
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
