package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * The ALG's kernel element for one data connection it negotiated (its internal value; the API
 * reads a proxied session's channels as {@code registry.DataChannel}, converted in the registry),
 * as the kernel must let it through: a packet matching
 * {@code match} is sent to {@code target}:{@code targetPort} (DNAT) and, when {@code snatTo} is
 * present, comes from that address (SNAT, keyed by the packet after the DNAT). The kernel holds
 * it as one element per map with a timeout; the ALG removes it once the transfer is over. When
 * the client and the server are of different families the kernel cannot translate between them:
 * then ({@link Path#RELAYED}) the daemon listens on {@code match}'s destination, accepts the one
 * connection from {@code match}'s source, connects to the target from {@code snatTo} and relays.
 */
public record ChannelElement(
        long id,
        long sessionId,
        Kind kind,
        FlowKey match,
        IpAddress target,
        int targetPort,
        Optional<IpAddress> snatTo,
        Path path,
        Instant created) {

    /** Where the data goes: through the kernel (one nft element), or through the daemon (mixed families only). */
    public enum Path {
        KERNEL, RELAYED;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Who opens the data connection. */
    public enum Kind {
        /** PORT/EPRT/LPRT: the server connects to the address the client named (through the router). */
        ACTIVE,
        /** PASV/EPSV/LPSV: the client connects to the address the server named (through the router). */
        PASSIVE;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The packet as it looks after the DNAT: the key of the SNAT element. */
    public FlowKey afterDnat() {
        return new FlowKey(match.source(), target, targetPort);
    }

    @Override
    public String toString() {
        return kind.text() + " " + match + " => " + Addresses.endpoint(target, targetPort)
                + snatTo.map(a -> " from " + Addresses.text(a)).orElse("");
    }
}
