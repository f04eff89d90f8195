package io.ftpnat.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses address literals only: a policy must never trigger a DNS lookup. */
final class IpAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpAddresses() {
    }

    static InetAddress parse(String text) {
        String s = text.trim();
        boolean v4 = IPV4.matcher(s).matches();
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: octet " + octet + " is above 255");
                }
            }
        } else if (!IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (host names are not allowed here)");
        }
        try {
            return InetAddress.getByName(s); // a literal: no lookup happens
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /** The canonical text form (IPv6 compressed as nft prints it). */
    static String format(InetAddress address) {
        if (IpFamily.of(address) == IpFamily.IPV4) {
            return address.getHostAddress();
        }
        return compressIpv6(address.getAddress());
    }

    private static String compressIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
