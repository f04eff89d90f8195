package io.ftpnat.lab;

/** How the client asks for data connections (the client chooses, as the seed document says). */
public enum DataMode {
    /** Active, IPv4: {@code PORT h1,h2,h3,h4,p1,p2}; the server connects back. */
    PORT(true),
    /** Active, extended (RFC 2428): {@code EPRT |af|addr|port|}; required for IPv6. */
    EPRT(true),
    /** Passive, IPv4: {@code PASV}, reply {@code 227 (h1,h2,h3,h4,p1,p2)}; the client connects. */
    PASV(false),
    /** Passive, extended: {@code EPSV}, reply {@code 229 (|||port|)}; required for IPv6. */
    EPSV(false);

    private final boolean active;

    DataMode(boolean active) { this.active = active; }

    public boolean active() { return active; }
}
