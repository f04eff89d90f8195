package io.ftpnat.nativ.netlink.nltest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetlinkTransport;

/**
 * A netlink socket without a kernel (in the spirit of mdlayher/netlink's nltest): every request
 * sent is recorded and handed to a {@link Responder}, whose datagrams are queued for
 * {@link #receive}. Datagrams can also be injected (events, NFLOG packets) and a receive error can
 * be armed (ENOBUFS: "messages were lost"). An empty queue behaves as a timeout (returns -1 at once).
 * Usable by any module's tests to check code built on the netlink layer.
 */
public final class FakeTransport implements NetlinkTransport {
    /** Answers one request (its bytes, host order) with zero or more datagrams. */
    @FunctionalInterface
    public interface Responder {
        List<byte[]> reply(byte[] request) throws NetlinkException;
    }

    private final Responder responder;
    private final Deque<Object> queue = new ArrayDeque<>();
    private final List<byte[]> requests = new ArrayList<>();
    private final Set<Integer> groups = new TreeSet<>();
    private int receiveBuffer = 212992;
    private boolean closed;

    public FakeTransport(Responder responder) {
        this.responder = responder;
    }

    /** A transport that answers every request with nothing (requests are only recorded). */
    public static FakeTransport silent() {
        return new FakeTransport(req -> List.of());
    }

    /**
     * Answers each request with the given datagrams, their sequence numbers rewritten to the
     * request's (for replaying captured kernel replies).
     */
    public static FakeTransport replaying(List<byte[]> datagrams) {
        return new FakeTransport(req -> {
            int seq = Messages.seq(req);
            List<byte[]> out = new ArrayList<>();
            for (byte[] d : datagrams) {
                out.add(Messages.withSeq(d, seq));
            }
            return out;
        });
    }

    /** Queues a datagram for the next receive. */
    public synchronized void inject(byte[] datagram) {
        queue.add(datagram.clone());
    }

    /** Makes a future receive (in queue order) fail with {@code errno}, e.g. {@link Errno#ENOBUFS}. */
    public synchronized void injectError(int errno) {
        queue.add(errno);
    }

    /** Requests sent so far (copies). */
    public synchronized List<byte[]> requests() {
        return List.copyOf(requests);
    }

    public synchronized Set<Integer> groups() {
        return Set.copyOf(groups);
    }

    /** Whether every queued datagram has been received. */
    public synchronized boolean receiveQueueIsEmpty() {
        return queue.isEmpty();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public int portId() {
        return 4242;
    }

    @Override
    public synchronized void send(ByteBuffer src, String what) throws NetlinkException {
        if (closed) {
            throw new NetlinkException(what, Errno.EBADF);
        }
        byte[] req = new byte[src.remaining()];
        src.duplicate().get(req);
        requests.add(req);
        for (byte[] d : responder.reply(req)) {
            queue.add(d);
        }
    }

    @Override
    public synchronized int receive(ByteBuffer dst, int timeoutMillis) throws NetlinkException {
        Object next = queue.poll();
        if (next == null) {
            return -1;
        }
        if (next instanceof Integer errno) {
            throw new NetlinkException("recv(netlink)", errno);
        }
        byte[] d = (byte[]) next;
        if (d.length > dst.capacity()) {
            throw new NetlinkException("recv(netlink)", "datagram of " + d.length + " bytes truncated");
        }
        dst.clear();
        dst.put(d);
        dst.position(0).limit(d.length);
        return d.length;
    }

    @Override
    public synchronized void joinGroup(int group) {
        groups.add(group);
    }

    @Override
    public synchronized void leaveGroup(int group) {
        groups.remove(group);
    }

    @Override
    public int setReceiveBufferSize(int bytes) {
        receiveBuffer = bytes * 2;
        return receiveBuffer;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Little builders for kernel replies, host byte order. */
    public static final class Messages {
        private Messages() {
        }

        public static int seq(byte[] msg) {
            return ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).getInt(8);
        }

        public static int type(byte[] msg) {
            return ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).getShort(4) & 0xffff;
        }

        public static int flags(byte[] msg) {
            return ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).getShort(6) & 0xffff;
        }

        /** A copy of a datagram with every message's sequence number set to {@code seq}. */
        public static byte[] withSeq(byte[] datagram, int seq) {
            byte[] out = datagram.clone();
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
            int p = 0;
            while (p + 16 <= out.length) {
                int len = b.getInt(p);
                b.putInt(p + 8, seq);
                if (len < 16) {
                    break;
                }
                p += (len + 3) & ~3;
            }
            return out;
        }

        /** One netlink message: header + payload. */
        public static byte[] message(int type, int flags, int seq, byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(16 + ((payload.length + 3) & ~3)).order(ByteOrder.nativeOrder());
            b.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4242);
            b.put(payload);
            return b.array();
        }

        /** NLMSG_ERROR carrying {@code errno} (0 = ACK), echoing the request's header. */
        public static byte[] error(int seq, int errno, byte[] request) {
            ByteBuffer p = ByteBuffer.allocate(4 + 16).order(ByteOrder.nativeOrder());
            p.putInt(-errno);
            p.put(request, 0, 16);
            return message(2, errno == 0 ? 0x100 : 0, seq, p.array());
        }

        /** NLMSG_ERROR with an extended-ack message (NLMSGERR_ATTR_MSG). */
        public static byte[] errorWithMessage(int seq, int errno, byte[] request, String text) {
            byte[] s = (text + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int attrLen = 4 + s.length;
            ByteBuffer p = ByteBuffer.allocate(4 + 16 + ((attrLen + 3) & ~3)).order(ByteOrder.nativeOrder());
            p.putInt(-errno);
            p.put(request, 0, 16);
            p.putShort((short) attrLen).putShort((short) 1).put(s);
            return message(2, 0x100 | 0x200, seq, p.array());
        }

        public static byte[] ack(int seq, byte[] request) {
            return error(seq, 0, request);
        }

        public static byte[] done(int seq) {
            return message(3, 2, seq, new byte[4]);
        }

        /** Concatenates messages into one datagram. */
        public static byte[] datagram(byte[]... messages) {
            int n = 0;
            for (byte[] m : messages) {
                n += m.length;
            }
            ByteBuffer b = ByteBuffer.allocate(n);
            for (byte[] m : messages) {
                b.put(m);
            }
            return b.array();
        }
    }
}
