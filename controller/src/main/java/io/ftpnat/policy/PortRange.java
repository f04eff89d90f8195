package io.ftpnat.policy;

/** An inclusive TCP port range, {@code first-last} in YAML and in nftables. */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
    }

    /**
     * Parses {@code 62000-62100} or a single port.
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static PortRange parse(String text) {
        String[] parts = text.trim().split("-", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("'" + text + "' is not a port range (expected FIRST-LAST, e.g. 62000-62100)");
        }
        int first = port(parts[0], text);
        int last = parts.length == 2 ? port(parts[1], text) : first;
        if (first > last) {
            throw new IllegalArgumentException("'" + text + "' is not a port range: " + first + " is above " + last);
        }
        return new PortRange(first, last);
    }

    private static int port(String s, String whole) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the whole text
        }
        throw new IllegalArgumentException("'" + whole + "' is not a port range: '" + s.trim() + "' is not a port in 1-65535");
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public boolean overlaps(PortRange other) {
        return first <= other.last && other.first <= last;
    }

    public String toNft() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    @Override
    public String toString() {
        return toNft();
    }
}
