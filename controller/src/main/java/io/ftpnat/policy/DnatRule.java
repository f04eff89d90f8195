package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.Optional;

/**
 * An FTP server published on {@code destination:port} of the router (arriving on
 * {@code inInterface}) and forwarded to {@code to}. Passive mode (PASV/EPSV) works through this
 * rule: the helper rewrites the server's address in the 227 reply to the published one.
 * {@code passivePorts}, when given, is forwarded statically as well, for servers whose control
 * channel the helper cannot read (FTPS).
 */
public record DnatRule(
        String name,
        String inInterface,
        IpAddress destination,
        int port,
        Endpoint to,
        Mode mode,
        Optional<PortRange> passivePorts,
        SourceLocation location,
        AlgControls controls) {

    /** A rule without ALG controls (every kernel rule, and proxy rules that name none). */
    public DnatRule(String name, String inInterface, IpAddress destination, int port, Endpoint to, Mode mode,
            Optional<PortRange> passivePorts, SourceLocation location) {
        this(name, inInterface, destination, port, to, mode, passivePorts, location, AlgControls.none());
    }

    public IpFamily family() {
        return IpFamily.of(destination);
    }

    public int serverPort() {
        return to.port().orElse(port);
    }

    public String destinationText() {
        return IpAddresses.format(destination);
    }
}
