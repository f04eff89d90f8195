package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import java.time.Instant;

/**
 * A line of the dialogue that names a data channel, as it crossed the router before the kernel's
 * rewrite: the client's PORT/EPRT/LPRT or the server's 227/228/229 reply.
 *
 * @param offer     what it names: the kernel helper's own reading when it read the line
 *                  ({@link Position#KERNEL_READ}), else ftpnatd's strict one
 * @param position  where the line was in its TCP segment, in nf_conntrack_ftp's terms: whether the
 *                  kernel helper read it, and if not why not
 * @param strict    ftpnatd's strict reading agrees with {@code offer} (numbers 0-255, canonical form)
 * @param solicited for a passive reply: the client had asked for passive mode (PASV, EPSV, LPSV)
 */
public record Negotiation(DataChannelOffer offer, String line, Instant seen, Position position, boolean strict,
                          boolean solicited) {
    /** Where nf_conntrack_ftp looks (kernel 6.18): only these lines can be the kernel's or a repair. */
    public enum Position {
        /** the kernel helper read it: at a segment's first byte, the segment right after one ending in LF */
        KERNEL_READ("the kernel helper read it"),
        /** where the kernel reads, in a form it does not know (LPRT, 228) */
        KERNEL_POSITION("at a position the kernel helper reads, in a form it does not parse"),
        /** at a position the kernel reads, but not in its strict syntax: it ignored or dropped it */
        NOT_KERNEL_SYNTAX("not in the kernel helper's strict syntax (no spaces, no Telnet bytes, CR LF after PORT)"),
        /** in the first segment the daemon saw in its direction (the kernel never parses a direction's first segment) */
        FIRST_SEGMENT("in the first segment of its direction, which the kernel helper never parses"),
        /** at the start of a segment that does not follow a segment ending in LF */
        NOT_AFTER_LF("at the start of a segment that does not follow a segment ending in LF"),
        /** a later line of its segment, or the rest of a line split across segments */
        INSIDE_SEGMENT("not at the first byte of one TCP segment (a later line of its segment, or a line split across segments)");

        private final String text;

        Position(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public boolean active() {
        return offer.form().active();
    }

    public boolean kernelRead() {
        return position == Position.KERNEL_READ;
    }
}
