package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Request/reply logic over a {@link NetlinkTransport}: sequence numbers, ACKs, NLMSG_ERROR → a
 * {@link NetlinkException} naming the errno and the request, multipart dumps ending in
 * NLMSG_DONE, and NLM_F_DUMP_INTR reporting. Replies carrying another sequence number (late
 * answers to an abandoned request) are skipped. Every wait is bounded by {@link #timeoutMillis()}.
 *
 * <p>Not thread-safe; one thread per connection. Decoding happens in place in one reused direct
 * receive buffer.
 */
public final class NetlinkConnection implements AutoCloseable {
    public static final int DEFAULT_TIMEOUT_MILLIS = 5_000;
    public static final int DEFAULT_RECEIVE_BUFFER = 64 * 1024;
    /** Messages in one batch, begin and end included (the 8 KiB request buffer is the other bound). */
    public static final int MAX_BATCH_MESSAGES = 128;

    private final NetlinkTransport transport;
    private final ByteBuffer rx;
    private final MessageWriter tx = new MessageWriter(8192);
    private int seq;
    /** The batch being built ({@link #batch}): each message's sequence number and whether it asked for an ACK. */
    private final int[] batchSeqs = new int[MAX_BATCH_MESSAGES];
    private final boolean[] batchAcks = new boolean[MAX_BATCH_MESSAGES];
    private int batchCount;
    private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

    public NetlinkConnection(NetlinkTransport transport) {
        this(transport, DEFAULT_RECEIVE_BUFFER);
    }

    public NetlinkConnection(NetlinkTransport transport, int receiveBufferBytes) {
        this.transport = transport;
        this.rx = ByteBuffer.allocateDirect(receiveBufferBytes).order(ByteOrder.nativeOrder());
        this.seq = (int) (System.nanoTime() & 0x3fffffff) | 1;
    }

    public NetlinkTransport transport() {
        return transport;
    }

    public int timeoutMillis() {
        return timeoutMillis;
    }

    public void setTimeoutMillis(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Starts a new request in the connection's reused writer. */
    public MessageWriter request(int type, int flags, int family, int resId) {
        return tx.begin(type, flags | Netlink.NLM_F_REQUEST, family, resId);
    }

    /**
     * Starts a batch: several messages sent in one datagram, each with its own sequence number
     * (for nfnetlink: NFNL_MSG_BATCH_BEGIN, the operations, NFNL_MSG_BATCH_END, all written by the
     * caller). Append messages with {@link #batchNext}, send with {@link #executeBatch}.
     */
    public MessageWriter batch(int type, int flags, int family, int resId) {
        batchCount = 0;
        tx.begin(type, flags | Netlink.NLM_F_REQUEST, family, resId);
        return track(flags);
    }

    /** Appends the next message of the batch started by {@link #batch}. */
    public MessageWriter batchNext(int type, int flags, int family, int resId) {
        if (batchCount == 0) {
            throw new IllegalStateException("no batch started");
        }
        if (batchCount == MAX_BATCH_MESSAGES) {
            throw new IllegalStateException("a batch holds at most " + MAX_BATCH_MESSAGES + " messages");
        }
        tx.next(type, flags | Netlink.NLM_F_REQUEST, family, resId);
        return track(flags);
    }

    private MessageWriter track(int flags) {
        int s = nextSeq();
        batchSeqs[batchCount] = s;
        batchAcks[batchCount] = (flags & Netlink.NLM_F_ACK) != 0;
        batchCount++;
        return tx.seq(s);
    }

    /**
     * Sends the batch in one datagram and waits until every message that asked for NLM_F_ACK is
     * answered, or the first message (the batch begin) is refused: then the kernel rejected the
     * batch as a whole and answers nothing else. Errors of messages without NLM_F_ACK are recorded
     * when they arrive before that. nfnetlink delivers the answers only after the whole batch was
     * committed or aborted, so when this returns the transaction is over. Each reply datagram is
     * waited for at most {@link #timeoutMillis()}.
     */
    public BatchReply executeBatch(String what) throws NetlinkException {
        int count = batchCount;
        batchCount = 0;
        if (count == 0) {
            throw new IllegalStateException("no batch started");
        }
        transport.send(tx.finishBatch(), what);
        int[] errnos = new int[count];
        String[] ext = new String[count];
        boolean[] answered = new boolean[count];
        int pending = 0;
        for (int i = 0; i < count; i++) {
            pending += batchAcks[i] ? 1 : 0;
        }
        while (pending > 0) {
            int n = transport.receive(rx, timeoutMillis);
            if (n < 0) {
                throw new NetlinkException(what, "no reply from the kernel within " + timeoutMillis + " ms ("
                        + pending + " of " + count + " messages unanswered)");
            }
            int p = 0;
            while (p < n) {
                int len = messageLength(rx, p, n);
                int type = rx.getShort(p + 4) & 0xffff;
                int flags = rx.getShort(p + 6) & 0xffff;
                int index = indexOf(rx.getInt(p + 8), count);
                int payload = p + Netlink.NLMSG_HDRLEN;
                int end = p + len;
                p += Netlink.align(len);
                if (index < 0 || type != Netlink.NLMSG_ERROR || answered[index]) {
                    continue; // a stale reply to an abandoned request, or nothing we wait for
                }
                answered[index] = true;
                errnos[index] = errorCode(rx, payload, end);
                if (errnos[index] != 0) {
                    ext[index] = extAck(rx, flags, payload, end);
                }
                if (batchAcks[index]) {
                    pending--;
                }
                if (index == 0 && errnos[0] != 0) {
                    return new BatchReply(errnos, ext);
                }
            }
        }
        return new BatchReply(errnos, ext);
    }

    private int indexOf(int s, int count) {
        for (int i = 0; i < count; i++) {
            if (batchSeqs[i] == s) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Sends the current request with NLM_F_ACK and waits for the kernel's acknowledgement.
     * Data messages answering it (e.g. the object a GET returns) go to {@code handler}.
     */
    public void execute(String what, MessageHandler handler) throws NetlinkException {
        tx.addFlags(Netlink.NLM_F_ACK);
        int mySeq = send(what);
        run(what, mySeq, handler, false);
    }

    /**
     * Sends the current request without asking for an acknowledgement (a verdict on a queued
     * packet: the kernel answers only if it fails, and that error arrives with the next receive).
     */
    public void submit(String what) throws NetlinkException {
        send(what);
    }

    /**
     * Sends the current request as a dump (NLM_F_DUMP) and streams every entry to {@code handler}
     * until NLMSG_DONE. Returns false when the kernel flagged NLM_F_DUMP_INTR (the table changed
     * during the dump, entries may be missing or doubled): the caller should dump again.
     */
    public boolean dump(String what, MessageHandler handler) throws NetlinkException {
        tx.addFlags(Netlink.NLM_F_DUMP);
        int mySeq = send(what);
        try {
            return run(what, mySeq, handler, true);
        } catch (NetlinkException | RuntimeException e) {
            // the kernel keeps the dump running on this socket (a new dump would get EBUSY):
            // read it to its end before giving the error back
            if (!(e instanceof NetlinkException ne) || ne.errno() == 0) {
                abandon(mySeq);
            }
            throw e;
        }
    }

    /** Reads and discards the rest of dump {@code mySeq}, bounded by the timeout. */
    private void abandon(int mySeq) {
        try {
            run("abandon dump", mySeq, (b, type, flags, p, e) -> { }, true);
        } catch (NetlinkException | RuntimeException ignored) {
            // best effort: a later request skips stale replies by their sequence number anyway
        }
    }

    private int send(String what) throws NetlinkException {
        int mySeq = nextSeq();
        transport.send(tx.finish(mySeq), what);
        return mySeq;
    }

    private int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        if (seq == 0) {
            seq = 1;
        }
        return seq;
    }

    private boolean run(String what, int mySeq, MessageHandler handler, boolean dump) throws NetlinkException {
        boolean intact = true;
        while (true) {
            int n = transport.receive(rx, timeoutMillis);
            if (n < 0) {
                throw new NetlinkException(what, "no reply from the kernel within " + timeoutMillis + " ms");
            }
            int p = 0;
            while (p < n) {
                int len = messageLength(rx, p, n);
                int type = rx.getShort(p + 4) & 0xffff;
                int flags = rx.getShort(p + 6) & 0xffff;
                int s = rx.getInt(p + 8);
                int payload = p + Netlink.NLMSG_HDRLEN;
                int end = p + len;
                p += Netlink.align(len);
                if (s != mySeq) {
                    continue;
                }
                if ((flags & Netlink.NLM_F_DUMP_INTR) != 0) {
                    intact = false;
                }
                switch (type) {
                    case Netlink.NLMSG_NOOP:
                        break;
                    case Netlink.NLMSG_ERROR: {
                        int errno = errorCode(rx, payload, end);
                        if (errno != 0) {
                            String ext = extAck(rx, flags, payload, end);
                            throw new NetlinkException(ext.isEmpty() ? what : what + " [" + ext + "]", errno);
                        }
                        if (!dump) {
                            return intact;
                        }
                        break;
                    }
                    case Netlink.NLMSG_DONE: {
                        if (end - payload >= 4) {
                            int errno = -rx.getInt(payload);
                            if (errno > 0) {
                                throw new NetlinkException(what, errno);
                            }
                        }
                        return intact;
                    }
                    case Netlink.NLMSG_OVERRUN:
                        throw new NetlinkException(what, Errno.ENOBUFS);
                    default:
                        handler.onMessage(rx, type, flags, payload, end);
                }
            }
        }
    }

    /**
     * Receives one datagram of unsolicited messages (multicast events, NFLOG packets) and passes
     * each data message to {@code handler}. Returns the number of messages, or -1 when nothing
     * arrived within {@code timeoutMillis} (0 = do not wait). ENOBUFS (messages lost) is thrown as
     * a {@link NetlinkException} with that errno; the socket stays usable.
     */
    public int receiveUnsolicited(int timeoutMillis, MessageHandler handler) throws NetlinkException {
        int n = transport.receive(rx, timeoutMillis);
        if (n < 0) {
            return -1;
        }
        return forEachMessage(rx, n, handler);
    }

    /** Splits a datagram into messages; skips NOOP/DONE, raises NLMSG_ERROR. Also used by tests on fixtures. */
    public static int forEachMessage(ByteBuffer b, int n, MessageHandler handler) throws NetlinkException {
        int count = 0;
        int p = 0;
        while (p < n) {
            int len = messageLength(b, p, n);
            int type = b.getShort(p + 4) & 0xffff;
            int flags = b.getShort(p + 6) & 0xffff;
            int payload = p + Netlink.NLMSG_HDRLEN;
            int end = p + len;
            p += Netlink.align(len);
            if (type == Netlink.NLMSG_ERROR) {
                int errno = errorCode(b, payload, end);
                if (errno != 0) {
                    throw new NetlinkException("netlink", errno);
                }
                continue;
            }
            if (type < 0x10) {
                continue;
            }
            handler.onMessage(b, type, flags, payload, end);
            count++;
        }
        return count;
    }

    private static int errorCode(ByteBuffer b, int payload, int end) throws NetlinkDecodeException {
        if (end - payload < 4) {
            throw new NetlinkDecodeException("NLMSG_ERROR without an error code");
        }
        return -b.getInt(payload);
    }

    /** The length of the message at {@code p} of a datagram of {@code n} bytes: its header fits, and it ends inside. */
    private static int messageLength(ByteBuffer b, int p, int n) throws NetlinkDecodeException {
        if (n - p < Netlink.NLMSG_HDRLEN) {
            throw new NetlinkDecodeException("datagram has " + (n - p) + " trailing bytes, less than a netlink header");
        }
        int len = b.getInt(p);
        if (len < Netlink.NLMSG_HDRLEN || len > n - p) {
            throw new NetlinkDecodeException("netlink message at " + p + " has length " + len + ", datagram " + n);
        }
        return len;
    }

    /** The extended-ack message (NLMSGERR_ATTR_MSG), if the kernel sent one. */
    private static String extAck(ByteBuffer b, int flags, int payload, int end) {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0 || end - payload < 4 + Netlink.NLMSG_HDRLEN) {
            return "";
        }
        int origLen = b.getInt(payload + 4);
        int p = payload + 4 + ((flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.NLMSG_HDRLEN : Netlink.align(origLen));
        try {
            while (p < end && p >= 0) {
                int len = Attrs.length(b, p, end);
                if (Attrs.type(b, p) == 1) {
                    return Attrs.string(b, p, len);
                }
                p = Attrs.next(p, len);
            }
        } catch (NetlinkDecodeException e) {
            return "";
        }
        return "";
    }

    @Override
    public void close() {
        transport.close();
    }
}
