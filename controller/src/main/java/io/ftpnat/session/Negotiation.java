package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import java.time.Instant;

/**
 * A line of the dialogue that names a data channel, as it crossed the router before the kernel's
 * rewrite: the client's PORT/EPRT/LPRT or the server's 227/228/229 reply.
 *
 * @param split true when the line reached the router in more than one TCP segment
 */
public record Negotiation(DataChannelOffer offer, String line, Instant seen, boolean split) {
    public boolean active() {
        return offer.form().active();
    }
}
