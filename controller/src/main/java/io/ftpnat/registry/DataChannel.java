package io.ftpnat.registry;

import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One data channel of a session, whichever kind the session is: the one value the API reads for
 * channels ({@link ObservedSession#channels()}, {@link ProxiedSession#channels()}). What both kinds
 * have is a field here; what differs is {@link #detail}, typed by kind: {@link Negotiated} (a
 * negotiation the kernel helper's observer saw and the expectation that answers it) or
 * {@link Proxied} (an nft map element or a relay the ALG made). Built in this package from the
 * domain's values ({@code session.ObservedChannel}, {@code alg.ChannelElement}): neither
 * {@code session} nor {@code alg} knows this type.
 *
 * @param number    its number: an observed channel's within its session (1, 2, …), a proxied one's the ALG's id
 * @param direction who opens the data connection
 * @param client    the data connection's far end as the client sees it: where the client connects
 *                  (passive) or where it listens (active); empty while not known (no expectation yet, refused)
 * @param server    the same as the server sees it: where it listens (passive) or where it connects (active)
 * @param carrier   what in the kernel (or the daemon) lets the data connection through
 * @param changed   when it last changed state (a proxied channel: when the ALG opened it)
 * @param note      what happened to it, in words ("" when nothing was said)
 */
public record DataChannel(long number, Direction direction, Optional<Endpoint> client, Optional<Endpoint> server, Carrier carrier,
                          State state, Instant changed, String note, Detail detail) {
    public DataChannel {
        note = note == null ? "" : note;
    }

    /** Who opens the data connection. */
    public enum Direction {
        /** PORT/EPRT/LPRT: the server connects to where the client said. */
        ACTIVE,
        /** PASV/EPSV/LPSV (227/229/228): the client connects to where the server said. */
        PASSIVE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What carries the data connection through the router. */
    public enum Carrier {
        /** the kernel helper's own expectation */
        HELPER_EXPECTATION("kernel helper"),
        /** an expectation ftpnatd created because the helper would not (a repair) */
        REPAIRED_EXPECTATION("ftpnatd (repair)"),
        /** nothing: the channel was refused (see the note) */
        NONE("nobody"),
        /** the ALG's nft map elements (DNAT, SNAT): data never passes through the daemon */
        NFT_ELEMENT("nft map element"),
        /** the daemon relays the bytes (proxy mode, client and server of different families) */
        DAEMON_RELAY("ftpnatd (relay)");

        private final String text;

        Carrier(String text) {
            this.text = text;
        }

        /** How {@code by} names it in the API. */
        public String text() {
            return text;
        }
    }

    public enum State {
        /** negotiated, nothing in the kernel (yet) */
        PENDING,
        /** the kernel (or the daemon) waits for the data connection: an expectation, an nft element, a relay's listener */
        EXPECTED,
        /** the data connection came (observed), or a transfer on it is under way (proxied) */
        CONNECTED,
        /** nothing will let it through (see the note) */
        REFUSED,
        /** the daemon's expectation could not be created */
        FAILED,
        /** replaced by a later negotiation, or timed out */
        ENDED;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An address and a port. */
    public record Endpoint(IpAddress address, int port) {
        /** {@code 192.0.2.1:21}, {@code [2001:db8::1]:21}. */
        @Override
        public String toString() {
            return address.v6() ? "[" + address + "]:" + port : address + ":" + port;
        }
    }

    /** What only one kind of session has. */
    public sealed interface Detail permits Negotiated, Proxied {
    }

    /**
     * A channel of an observed session: the dialogue line that negotiated it (before the kernel's
     * rewrite), the expectation the kernel holds for it (or the one planned), its data connection.
     *
     * @param form         PORT, EPRT, LPRT, 227, 228 or 229
     * @param port         the port the line names
     * @param repairMicros for a repair: microseconds from the line's copy to the expectation in the kernel, else -1
     */
    public record Negotiated(String line, String form, int port, Optional<Expectation> expectation,
                             Optional<Expectation> planned, Optional<Conntrack> data, long repairMicros) implements Detail {
    }

    /**
     * A channel of a proxied session, as the ALG put it in the kernel: a packet from
     * {@code matchSource} to {@code matchDestination} goes to {@code target} (DNAT), from
     * {@code snatTo} when present (SNAT).
     */
    public record Proxied(long session, IpAddress matchSource, Endpoint matchDestination, Endpoint target,
                          Optional<IpAddress> snatTo, Instant created) implements Detail {
        /** The first packet it lets through: {@code source -> destination:port}. */
        public String match() {
            return matchSource + " -> " + matchDestination;
        }
    }
}
