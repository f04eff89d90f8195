package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/** Where an SNAT rule translates the source to: the outgoing interface's address, or a fixed one. */
public sealed interface SnatTarget {
    record Masquerade() implements SnatTarget {
        @Override
        public String toString() {
            return "masquerade";
        }
    }

    record Address(IpAddress address) implements SnatTarget {
        public IpFamily family() {
            return IpFamily.of(address);
        }

        @Override
        public String toString() {
            return IpAddresses.format(address);
        }
    }

    static SnatTarget parse(String text) {
        if (text.trim().equals("masquerade")) {
            return new Masquerade();
        }
        try {
            return new Address(IpAddresses.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is neither 'masquerade' nor an IP address");
        }
    }
}
