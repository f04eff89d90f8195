package io.ftpnat.ha;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ftpnatd's own datagrams over the pair's sync link: to and from one peer address only, each
 * authenticated ({@link HaWire}), fresh (sent within {@link #MAX_SKEW_MILLIS} of our clock) and
 * new (a counter above the last one seen from that peer's boot), within a receive budget of
 * {@link #MAX_PER_SECOND} messages a second. Everything else is counted and dropped.
 */
final class HaLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLink.class);
    static final long MAX_SKEW_MILLIS = 120_000;
    static final int MAX_PER_SECOND = 20_000;

    private final HaWire wire;
    private final InetSocketAddress peer;
    private final DatagramChannel channel;
    private final long boot = new java.security.SecureRandom().nextLong();
    private final AtomicLong counter = new AtomicLong();
    private final Thread receiver;
    private volatile boolean closed;

    final AtomicLong sent = new AtomicLong();
    final AtomicLong sentBytes = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    volatile long lastReceivedMillis;
    private long peerBoot;
    private long peerCounter = -1;
    private long budgetSecond;
    private int budgetUsed;

    HaLink(HaWire wire, InetSocketAddress local, InetSocketAddress peer, Consumer<HaWire.Message> onMessage) throws IOException {
        this.wire = wire;
        this.peer = peer;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(local);
        this.receiver = new Thread(() -> receive(onMessage), "ha-link");
        receiver.setDaemon(true);
        receiver.start();
    }

    long boot() {
        return boot;
    }

    void send(HaWire.Type type, FtpControlState state, io.ftpnat.nativ.netlink.conntrack.Tuple gone) {
        byte[] d = wire.encode(type, boot, counter.incrementAndGet(), System.currentTimeMillis(), state, gone);
        try {
            channel.send(ByteBuffer.wrap(d), peer);
            sent.incrementAndGet();
            sentBytes.addAndGet(d.length + 28); // + IPv4 and UDP headers: what the sync link carries
        } catch (IOException e) {
            // the peer or the link is down (a hard failover): counted, the next refresh says it again
            sendErrors.incrementAndGet();
        }
    }

    private void receive(Consumer<HaWire.Message> onMessage) {
        ByteBuffer buf = ByteBuffer.allocate(HaWire.MAX_DATAGRAM + 1);
        while (!closed) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                if (from == null) {
                    continue;
                }
                HaWire.Message m = accept(from, buf);
                if (m != null) {
                    onMessage.accept(m);
                }
            } catch (IOException e) {
                if (!closed) {
                    log.warn("HA link: receive failed: {}", e.toString());
                }
            } catch (RuntimeException e) {
                log.warn("HA link: a message could not be applied: {}", e.toString());
            }
        }
    }

    private HaWire.Message accept(SocketAddress from, ByteBuffer buf) {
        long now = System.currentTimeMillis();
        if (now / 1000 != budgetSecond) {
            budgetSecond = now / 1000;
            budgetUsed = 0;
        }
        if (++budgetUsed > MAX_PER_SECOND || !(from instanceof InetSocketAddress a) || !a.getAddress().equals(peer.getAddress())
                || buf.position() > HaWire.MAX_DATAGRAM) {
            rejected.incrementAndGet();
            return null;
        }
        HaWire.Message m = wire.decode(buf.array(), buf.position());
        if (m == null || Math.abs(now - m.millis()) > MAX_SKEW_MILLIS || (m.boot() == peerBoot && m.counter() <= peerCounter)) {
            rejected.incrementAndGet();
            return null;
        }
        peerBoot = m.boot();
        peerCounter = m.counter();
        received.incrementAndGet();
        lastReceivedMillis = now;
        return m;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
