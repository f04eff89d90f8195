package io.ftpnat.ftp;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.Optional;

/**
 * One side of the dialogue naming where a data connection should go: the client with PORT, EPRT or
 * LPRT (active mode: "connect to me there"), the server with a 227, 228 or 229 reply (passive mode:
 * "connect to me there"). EPSV's 229 names only a port: the address is the control connection's.
 */
public record DataChannelOffer(Form form, Optional<IpAddress> address, int port) {
    public enum Form {
        PORT(true, "RFC 959"), EPRT(true, "RFC 2428"), LPRT(true, "RFC 1639"),
        PASV_227(false, "RFC 959"), EPSV_229(false, "RFC 2428"), LPSV_228(false, "RFC 1639");

        private final boolean active;
        private final String rfc;

        Form(boolean active, String rfc) {
            this.active = active;
            this.rfc = rfc;
        }

        /** True for the client's offers (active mode), false for the server's (passive mode). */
        public boolean active() {
            return active;
        }

        public String rfc() {
            return rfc;
        }
    }

    public DataChannelOffer {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    public Optional<HostPort> hostPort() {
        return address.map(a -> new HostPort(a, port));
    }
}
