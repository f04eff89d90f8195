package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;

/**
 * The kernel boundary: one netlink socket, reduced to what the connection logic needs. The real
 * one is {@link KernelTransport}; tests use {@code io.ftpnat.nativ.netlink.nltest.FakeTransport} (native test sources, not shipped),
 * which answers requests from a function, so sequence numbers, multipart dumps, NLMSG_ERROR and
 * DUMP_INTR are tested without a kernel.
 *
 * <p>Not thread-safe: one thread at a time sends and receives.
 */
public interface NetlinkTransport extends AutoCloseable {
    /** Our netlink port id (nl_pid) as assigned by the kernel at bind. */
    int portId();

    /**
     * Sends one datagram: the bytes between {@code src.position()} and {@code src.limit()}.
     * @throws NetlinkException naming the errno when the kernel refuses it
     */
    void send(ByteBuffer src, String what) throws NetlinkException;

    /**
     * Receives one datagram into {@code dst} starting at position 0; sets position 0 and the limit
     * to its length and returns the length. Waits at most {@code timeoutMillis} (0 = do not wait;
     * negative = wait without bound) and returns -1 when nothing arrived in time.
     * @throws NetlinkException with errno ENOBUFS when the kernel dropped messages for this socket
     *         (its receive buffer overflowed), or another errno
     */
    int receive(ByteBuffer dst, int timeoutMillis) throws NetlinkException;

    /** Joins a multicast group (NETLINK_ADD_MEMBERSHIP). */
    void joinGroup(int group) throws NetlinkException;

    /** Leaves a multicast group (NETLINK_DROP_MEMBERSHIP). */
    void leaveGroup(int group) throws NetlinkException;

    /** Sets the socket receive buffer (SO_RCVBUFFORCE, falling back to SO_RCVBUF); returns the size the kernel reports. */
    int setReceiveBufferSize(int bytes) throws NetlinkException;

    /**
     * Attaches a classic BPF program (SO_ATTACH_FILTER) that the kernel runs on every datagram
     * before queueing it to this socket. Returns false when this transport cannot filter (fakes):
     * then everything is delivered and the caller's own checks decide.
     */
    default boolean attachFilter(SocketFilter program) throws NetlinkException {
        return false;
    }

    @Override
    void close();
}
