package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;

/**
 * Receives one netlink data message, in place: {@code buf} is the receive buffer (host order),
 * the message's payload (after nlmsghdr) runs from {@code payload} to {@code end}. The buffer is
 * reused for the next datagram: copy what you keep.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(ByteBuffer buf, int type, int flags, int payload, int end) throws NetlinkException;
}
