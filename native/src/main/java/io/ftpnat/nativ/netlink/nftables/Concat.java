package io.ftpnat.nativ.netlink.nftables;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * A key or a data value of an nf_tables set or map, typed: a concatenation of addresses and ports
 * ({@code ipv4_addr . ipv4_addr . inet_service}). nf_tables stores a concatenation in 32-bit
 * registers, so every field is padded to a multiple of 4 bytes: an IPv4 address takes 4 bytes, an
 * IPv6 address 16, a port 4 (2 bytes network order, 2 zero bytes). At most 64 bytes in all.
 * Immutable; built only from typed values, never from text.
 */
public final class Concat {
    private final byte[] bytes;
    private final String text;

    private Concat(byte[] bytes, String text) {
        this.bytes = bytes;
        this.text = text;
    }

    /** {@code ipv4_addr} or {@code ipv6_addr}: e.g. the source address of proxy_snat4/6. */
    public static Concat of(IpAddress address) {
        return builder().address(address).build();
    }

    /** {@code ipv4_addr . inet_service}: e.g. the target of proxy_dnat4/6. */
    public static Concat of(IpAddress address, int port) {
        return builder().address(address).port(port).build();
    }

    /** {@code ipv4_addr . ipv4_addr . inet_service}: a flow's source, destination, destination port (the key of the proxy maps and of advertised4/6). */
    public static Concat of(IpAddress source, IpAddress destination, int port) {
        return builder().address(source).address(destination).port(port).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value as nf_tables stores it (padded fields, network order). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    byte[] bytes() {
        return bytes;
    }

    /** As nft prints it: {@code 10.10.10.2 . 192.168.10.115 . 40001}. For messages only; never parsed. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Concat c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Appends fields in order. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(NfTables.DATA_VALUE_MAXLEN);
        private final StringBuilder text = new StringBuilder();

        private Builder() {
        }

        /** {@code ipv4_addr} (4 bytes) or {@code ipv6_addr} (16 bytes). */
        public Builder address(IpAddress address) {
            if (address == null) {
                throw new IllegalArgumentException("address is null");
            }
            field(address.toBytes(), address.toString());
            return this;
        }

        /** {@code inet_service}: a TCP/UDP port, 2 bytes network order padded to 4. */
        public Builder port(int port) {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            field(new byte[] {(byte) (port >>> 8), (byte) port}, Integer.toString(port));
            return this;
        }

        private void field(byte[] value, String shown) {
            int padded = (value.length + 3) & ~3;
            if (out.size() + padded > NfTables.DATA_VALUE_MAXLEN) {
                throw new IllegalArgumentException("a concatenation holds at most " + NfTables.DATA_VALUE_MAXLEN + " bytes");
            }
            out.write(value, 0, value.length);
            for (int i = value.length; i < padded; i++) {
                out.write(0);
            }
            text.append(text.length() == 0 ? "" : " . ").append(shown);
        }

        public Concat build() {
            if (out.size() == 0) {
                throw new IllegalArgumentException("a concatenation needs at least one field");
            }
            return new Concat(out.toByteArray(), text.toString());
        }
    }
}
