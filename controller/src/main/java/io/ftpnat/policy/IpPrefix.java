package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/** An IPv4 or IPv6 prefix such as {@code 10.10.10.0/24}; a bare address is a full-length prefix. */
public record IpPrefix(IpAddress address, int length) {
    public IpPrefix {
        int bits = IpFamily.of(address).bits();
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0-" + bits);
        }
    }

    /**
     * Parses a prefix. Host bits must be zero: {@code 10.10.10.5/24} is refused with the prefix
     * that was probably meant, because silently masking hides typos.
     */
    public static IpPrefix parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        IpAddress address = IpAddresses.parse(slash < 0 ? s : s.substring(0, slash));
        int bits = IpFamily.of(address).bits();
        int length = bits;
        if (slash >= 0) {
            String len = s.substring(slash + 1);
            try {
                length = Integer.parseInt(len);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a prefix: '" + len + "' is not a prefix length");
            }
            if (length < 0 || length > bits) {
                throw new IllegalArgumentException("'" + text + "' is not a prefix: length " + length + " is outside 0-" + bits
                        + " for " + IpFamily.of(address));
            }
        }
        IpPrefix prefix = new IpPrefix(address, length);
        IpAddress network = prefix.network();
        if (!network.equals(address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
                    + IpAddresses.format(network) + "/" + length + "?");
        }
        return prefix;
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    public IpAddress network() {
        if (!address.v6()) {
            return IpAddress.v4(address.v4Int() & (int) mask(length, 32));
        }
        return IpAddress.v6(address.hi() & mask(length, 64), address.lo() & mask(length - 64, 64));
    }

    /** The top {@code bits} (clamped to 0-{@code width}) of a {@code width}-bit word set. */
    private static long mask(int bits, int width) {
        int keep = Math.max(0, Math.min(width, bits));
        return keep == 0 ? 0 : -1L << (64 - keep) >>> (64 - width);
    }

    public boolean contains(IpAddress other) {
        if (IpFamily.of(other) != family()) {
            return false;
        }
        return new IpPrefix(other, length).network().equals(network());
    }

    public boolean overlaps(IpPrefix other) {
        if (other.family() != family()) {
            return false;
        }
        return length <= other.length ? contains(other.address) : other.contains(address);
    }

    @Override
    public String toString() {
        String a = IpAddresses.format(address);
        return length == family().bits() ? a : a + "/" + length;
    }
}
