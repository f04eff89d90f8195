package io.ftpnat.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix such as {@code 10.10.10.0/24}; a bare address is a full-length prefix. */
public record IpPrefix(InetAddress address, int length) {
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
        InetAddress address = IpAddresses.parse(slash < 0 ? s : s.substring(0, slash));
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
        InetAddress network = prefix.network();
        if (!network.equals(address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
                    + IpAddresses.format(network) + "/" + length + "?");
        }
        return prefix;
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    public InetAddress network() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(InetAddress other) {
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
