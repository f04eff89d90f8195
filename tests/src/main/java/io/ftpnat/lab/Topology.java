package io.ftpnat.lab;

/**
 * The reference lab of the seed document, addresses and interface names fixed (they live inside
 * the lab's own namespaces, so they never collide with the machine's):
 *
 * <pre>
 *   client 10.10.10.2 ──(c0)──(r0) router 10.10.10.1 | 192.168.10.114 (r1)──(s0)── server 192.168.10.115
 *          fd00:10::2                 fd00:10::1    | fd00:192::114               fd00:192::115
 * </pre>
 *
 * The client's and the server's default routes point at the router; the router forwards.
 */
public final class Topology {
    private Topology() {}

    public static final String CLIENT_IF = "c0";
    public static final String ROUTER_INSIDE_IF = "r0";
    public static final String ROUTER_OUTSIDE_IF = "r1";
    public static final String SERVER_IF = "s0";

    public static final String CLIENT_V4 = "10.10.10.2";
    public static final String ROUTER_INSIDE_V4 = "10.10.10.1";
    public static final String ROUTER_OUTSIDE_V4 = "192.168.10.114";
    public static final String SERVER_V4 = "192.168.10.115";

    public static final String CLIENT_V6 = "fd00:10::2";
    public static final String ROUTER_INSIDE_V6 = "fd00:10::1";
    public static final String ROUTER_OUTSIDE_V6 = "fd00:192::114";
    public static final String SERVER_V6 = "fd00:192::115";

    /** An address as FTP's PORT/227 writes it: 10.10.10.1 → "10,10,10,1". */
    public static String commas(String ipv4) { return ipv4.replace('.', ','); }
}
