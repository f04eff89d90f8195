package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.Optional;

/**
 * What nf_conntrack_ftp reads in one TCP segment that it looks at (kernel 6.18, {@code help()} and
 * {@code find_pattern()}): one pattern at the segment's first byte, nowhere else. From the client
 * {@code PORT} then {@code EPRT} (case-insensitive, then up to the first space, numbers and
 * separators only, {@code PORT}'s numbers ended by CR); from the server {@code "227 "} (the first
 * digit onwards, six numbers) then {@code "229 "} (up to '(', then {@code |||port|}). Numbers are
 * read as the kernel reads them (unsigned 32-bit, a port truncated to 16 bits), so the result is
 * the address and port the kernel acted on, whatever a stricter reader thinks of the text.
 *
 * <p>{@link Outcome#PARTIAL} is the kernel's "partial matching": a segment that starts like a
 * pattern but does not complete it is dropped by the helper (the sender's retransmission is
 * dropped again: the command stalls).
 */
record HelperParse(Outcome outcome, DataChannelOffer.Form form, Optional<IpAddress> address, int port) {
    enum Outcome { MATCH, NONE, PARTIAL }

    static final HelperParse NONE = new HelperParse(Outcome.NONE, null, Optional.empty(), 0);

    private static HelperParse partial(DataChannelOffer.Form form) {
        return new HelperParse(Outcome.PARTIAL, form, Optional.empty(), 0);
    }

    /**
     * @param fromClient the direction (the client's patterns or the server's)
     * @param v6         the control connection's family (EPRT must name the same one)
     */
    static HelperParse of(byte[] data, boolean fromClient, boolean v6) {
        if (fromClient) {
            HelperParse p = find(data, "PORT", ' ', DataChannelOffer.Form.PORT, v6);
            return p.outcome == Outcome.NONE ? find(data, "EPRT", ' ', DataChannelOffer.Form.EPRT, v6) : p;
        }
        HelperParse p = find(data, "227 ", (char) 0, DataChannelOffer.Form.PASV_227, v6);
        return p.outcome == Outcome.NONE ? find(data, "229 ", '(', DataChannelOffer.Form.EPSV_229, v6) : p;
    }

    private static HelperParse find(byte[] d, String pattern, char skip, DataChannelOffer.Form form, boolean v6) {
        int plen = pattern.length();
        int dlen = d.length;
        if (dlen <= plen) {
            return startsWithIgnoreCase(d, pattern, dlen) ? partial(form) : NONE;
        }
        if (!startsWithIgnoreCase(d, pattern, plen)) {
            return NONE;
        }
        int i = plen;
        if (skip != 0) {
            while (d[i] != skip) {
                if (i == dlen - 1) {
                    return partial(form);
                }
                i++;
            }
            i++;
        }
        HelperParse got = switch (form) {
            case PORT -> rfc959(d, i, '\r', form);
            case PASV_227 -> rfc1123(d, i, form);
            case EPRT -> eprt(d, i, v6);
            case EPSV_229 -> epsv(d, i);
            default -> null;
        };
        return got == null ? partial(form) : got;
    }

    private static boolean startsWithIgnoreCase(byte[] d, String pattern, int n) {
        for (int i = 0; i < n; i++) {
            if (Character.toUpperCase((char) (d[i] & 0xff)) != pattern.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** try_number: {@code size} numbers separated by {@code sep}; the index of the terminator, or -1. */
    private static int numbers(byte[] d, int from, int[] out, char sep, int term) {
        java.util.Arrays.fill(out, 0);
        int n = 0;
        for (int at = from; at < d.length && n < out.length; at++) {
            int c = d[at] & 0xff;
            if (c >= '0' && c <= '9') {
                out[n] = out[n] * 10 + c - '0'; // u32 arithmetic, as the kernel's
            } else if (c == sep) {
                n++;
            } else {
                return (c == term || term < 0) && n == out.length - 1 ? at : -1;
            }
        }
        return -1;
    }

    private static HelperParse rfc959(byte[] d, int from, int term, DataChannelOffer.Form form) {
        int[] a = new int[6];
        if (numbers(d, from, a, ',', term) < 0) {
            return null;
        }
        int ip = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
        return new HelperParse(Outcome.MATCH, form, Optional.of(v4(ip)), (a[4] << 8 | a[5]) & 0xffff);
    }

    /** 227: from the first digit on (RFC 1123), any terminator. */
    private static HelperParse rfc1123(byte[] d, int from, DataChannelOffer.Form form) {
        int i = from;
        while (i < d.length && !(d[i] >= '0' && d[i] <= '9')) {
            i++;
        }
        return i == d.length ? null : rfc959(d, i, -1, form);
    }

    /** get_port: digits up to the delimiter, not zero; the index after the delimiter, or -1. */
    private static int port(byte[] d, int from, int delim, int[] port) {
        int p = 0;
        for (int i = from; i < d.length; i++) {
            int c = d[i] & 0xff;
            if (c == delim) {
                if (p == 0) {
                    return -1;
                }
                port[0] = p;
                return i + 1;
            } else if (c >= '0' && c <= '9') {
                p = (p * 10 + c - '0') & 0xffff;
            } else {
                return -1;
            }
        }
        return -1;
    }

    private static boolean badDelimiter(int delim) {
        return (delim >= '0' && delim <= '9') || delim < 33 || delim > 126;
    }

    private static HelperParse eprt(byte[] d, int from, boolean v6) {
        int dlen = d.length - from;
        if (dlen <= 3) {
            return null;
        }
        int delim = d[from] & 0xff;
        if (badDelimiter(delim) || (d[from + 2] & 0xff) != delim || d[from + 1] != (v6 ? '2' : '1')) {
            return null;
        }
        IpAddress address;
        int end; // index of the delimiter after the address
        if (!v6) {
            int[] a = new int[4];
            end = numbers(d, from + 3, a, '.', delim);
            if (end < 0) {
                return null;
            }
            address = v4(a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
        } else {
            end = from + 3;
            while (end < d.length && (d[end] & 0xff) != delim) {
                int c = d[end] & 0xff;
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return null;
                }
                end++;
            }
            if (end == d.length || end == from + 3) {
                return null;
            }
            String literal = new String(d, from + 3, end - from - 3, java.nio.charset.StandardCharsets.US_ASCII);
            if (literal.indexOf(':') < 0) {
                return null; // an IPv6 literal has a ':' (a dotted quad here is no IPv6 address)
            }
            try {
                address = IpAddress.parse(literal); // a literal only: never a lookup
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        int[] p = new int[1];
        return port(d, end + 1, delim, p) < 0 ? null
                : new HelperParse(Outcome.MATCH, DataChannelOffer.Form.EPRT, Optional.of(address), p[0]);
    }

    private static HelperParse epsv(byte[] d, int from) {
        if (d.length - from <= 3) {
            return null;
        }
        int delim = d[from] & 0xff;
        if (badDelimiter(delim) || (d[from + 1] & 0xff) != delim || (d[from + 2] & 0xff) != delim) {
            return null;
        }
        int[] p = new int[1];
        return port(d, from + 3, delim, p) < 0 ? null
                : new HelperParse(Outcome.MATCH, DataChannelOffer.Form.EPSV_229, Optional.empty(), p[0]);
    }

    private static IpAddress v4(int ip) {
        return IpAddress.v4(ip);
    }
}
