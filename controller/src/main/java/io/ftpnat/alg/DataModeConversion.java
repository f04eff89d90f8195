package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.ftp.HostPort;
import io.ftpnat.policy.AlgControls.ServerDataMode;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's {@code server_data_mode}: when the rule names a mode for the server's side other
 * than the one the client chose, the one converted channel the session may have pending
 * ({@link ConvertedChannel}) and the router ports it holds. Used under its
 * {@link ControlDialogue}'s lock.
 *
 * <ul>
 *   <li>Client active, server passive: the client's PORT is kept, the server is asked PASV/EPSV;
 *       on its offer the ALG connects to both and the client gets {@code 200}.</li>
 *   <li>Client passive, server active: the server is sent a PORT/EPRT naming a router port the
 *       ALG listens on; on its {@code 200} the ALG listens for the client too and answers the
 *       client's PASV/EPSV/LPSV. Where the address the client connected to is not the router's
 *       (an SNAT rule: it is the server's), one kernel element sends the client's connection to
 *       the router's listening port.</li>
 * </ul>
 */
final class DataModeConversion {
    private static final Logger log = LoggerFactory.getLogger(DataModeConversion.class);

    private final long sessionId;
    private final SessionAddresses at;
    private final ServerDataMode mode;
    private final PortAllocator ports;
    private final SessionChannel kernel;
    private final Supplier<Duration> timeout;
    private ConvertedChannel current;
    private HostPort clientTarget; // client active: where it listens
    private ServerSocketChannel forServer; // client passive: the server's listener, until the 200
    private int serverPort = -1;
    private int clientPort = -1; // held here when no kernel element holds it
    private long converted;

    DataModeConversion(long sessionId, SessionAddresses at, ServerDataMode mode, PortAllocator ports, SessionChannel kernel,
            Supplier<Duration> timeout) {
        this.sessionId = sessionId;
        this.at = at;
        this.mode = mode;
        this.ports = ports;
        this.kernel = kernel;
        this.timeout = timeout;
    }

    /** Whether a data command of the client's in this mode ({@code clientActive}) is converted. */
    boolean converts(boolean clientActive) {
        return clientActive ? mode == ServerDataMode.PASSIVE : mode == ServerDataMode.ACTIVE;
    }

    // ---- client active, server passive ----

    void clientListens(HostPort client) {
        close();
        clientTarget = client;
    }

    /** The server offered its passive port: connects both sides. False when no client target waits. */
    boolean serverOffered(int port) {
        if (clientTarget == null) {
            return false;
        }
        Optional<SelectorLoop> loop = SelectorLoop.current();
        if (loop.isEmpty()) {
            log.warn("session {}: converted data channel: not on a selector loop", sessionId);
            return false;
        }
        IpAddress view = at.clientView();
        Optional<IpAddress> from = isLocal(view) ? Optional.of(view) : Optional.empty();
        current = ConvertedChannel.connectBoth(sessionId, Addresses.socket(at.serverAddress(), port), at.routerAddress(),
                Addresses.socket(clientTarget.address(), clientTarget.port()), from, loop.get());
        clientTarget = null;
        converted++;
        log.info("session {}: data channel converted: {}", sessionId, current);
        return true;
    }

    // ---- client passive, server active ----

    /** Listens for the server on a router port; that port (for the PORT/EPRT the server gets), or -1. */
    int listenForServer() {
        close();
        int port = ports.allocate(-1);
        if (port < 0) {
            return -1;
        }
        ServerSocketChannel ss = listen(at.routerAddress(), port);
        if (ss == null) {
            ports.release(port);
            return -1;
        }
        forServer = ss;
        serverPort = port;
        return port;
    }

    /** The server took the PORT: listens for the client; the port to offer it, or -1. */
    int listenForClient() {
        if (forServer == null) {
            return -1;
        }
        int port = ports.allocate(serverPort);
        if (port < 0) {
            close();
            return -1;
        }
        IpAddress view = at.clientView();
        boolean direct = isLocal(view);
        IpAddress bind = direct ? view : at.routerAddress();
        ServerSocketChannel forClient = listen(bind, port);
        if (forClient == null) {
            ports.release(port);
            close();
            return -1;
        }
        if (!direct && !kernel.open(ChannelElement.Kind.PASSIVE, new FlowKey(at.clientAddress(), view, port), bind, port, Optional.empty(),
                port)) {
            // the kernel element took the port and gave it back on failure
            quietly(forClient);
            close();
            return -1;
        }
        clientPort = direct ? port : -1;
        try {
            SelectorLoop loop = SelectorLoop.current().orElseThrow(() -> new IOException("not on a selector loop"));
            current = ConvertedChannel.acceptBoth(sessionId, forServer, at.serverAddress(), forClient, at.clientAddress(), timeout.get(),
                    loop);
        } catch (IOException e) {
            log.warn("session {}: converted data channel: {}", sessionId, e.getMessage());
            quietly(forClient);
            close();
            return -1;
        }
        forServer = null; // the channel owns it now
        converted++;
        log.info("session {}: data channel converted: {}", sessionId, current);
        return port;
    }

    private ServerSocketChannel listen(IpAddress address, int port) {
        try {
            ServerSocketChannel ss = ServerSocketChannel.open();
            try {
                ss.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                ss.bind(Addresses.socket(address, port), 2); // socket edge
                return ss;
            } catch (IOException e) {
                ss.close();
                throw e;
            }
        } catch (IOException e) {
            log.warn("session {}: cannot listen on {} for a converted data channel: {}", sessionId, Addresses.endpoint(address, port),
                    e.getMessage());
            return null;
        }
    }

    // ---- either ----

    boolean pending() {
        return current != null || clientTarget != null || forServer != null;
    }

    long converted() {
        return converted;
    }

    /** Withdraws what is pending: the setup stops, the ports go back; a joined transfer runs on. */
    void close() {
        if (current != null) {
            current.close();
            current = null;
        }
        clientTarget = null;
        if (forServer != null) {
            quietly(forServer);
            forServer = null;
        }
        if (serverPort >= 0) {
            ports.release(serverPort);
            serverPort = -1;
        }
        if (clientPort >= 0) {
            ports.release(clientPort);
            clientPort = -1;
        }
    }

    private static boolean isLocal(IpAddress a) {
        try {
            return NetworkInterface.getByInetAddress(a.toInetAddress()) != null; // socket edge: the host's interfaces
        } catch (SocketException e) {
            return false;
        }
    }

    private static void quietly(ServerSocketChannel ss) {
        try {
            ss.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
