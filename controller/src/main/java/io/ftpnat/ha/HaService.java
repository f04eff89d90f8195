package io.ftpnat.ha;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.kernel.FtpFailoverKernel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ftpnatd's part of a router pair (docs/ha.md): it tells the peer, over the sync link, what
 * conntrackd cannot sync about FTP (sequence adjustments, expectations' NAT), keeps what the peer
 * tells it, and applies it when keepalived's notify hook says this router became master
 * ({@code ftpnatctl ha promote}, after {@code conntrackd -c}).
 */
public final class HaService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaService.class);

    /** The role keepalived last gave this router (through the notify hook). */
    public enum HaRole { UNKNOWN, MASTER, BACKUP }

    private final HaLink link;
    private final LocalTracker tracker;
    private final PeerTable peer = new PeerTable();
    private final FtpFailoverKernel kernel;
    private final InetSocketAddress peerAddress;
    private volatile HaRole role = HaRole.UNKNOWN;
    private volatile FailoverReport lastPromotion;
    private volatile long promotions;
    private long knownPeerBoot;

    private HaService(FtpFailoverKernel kernel, HaWire wire, InetSocketAddress local, InetSocketAddress peerAddress) throws IOException {
        this.kernel = kernel;
        this.peerAddress = peerAddress;
        this.link = new HaLink(wire, local, peerAddress, this::onMessage);
        this.tracker = new LocalTracker(kernel, link);
    }

    /** Starts the replication: binds {@code local} on the sync link, talks to {@code peer} only. */
    public static HaService start(FtpFailoverKernel kernel, Path keyFile, InetSocketAddress local, InetSocketAddress peer)
            throws IOException {
        byte[] key = Files.readAllBytes(keyFile);
        var perms = Files.getPosixFilePermissions(keyFile);
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
            throw new IOException("the HA key " + keyFile + " is readable by others; chmod 600 it");
        }
        HaService s = new HaService(kernel, new HaWire(key), local, peer);
        s.tracker.start();
        log.info("HA: replicating FTP state from {} to {} (docs/ha.md)", local, peer);
        return s;
    }

    /** "host:port" (IPv4, or [IPv6]:port). */
    public static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected ADDRESS:PORT, got " + text);
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(text.substring(colon + 1));
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("an address literal is needed, not a name: " + host);
        }
        return new InetSocketAddress(host, port);
    }

    private void onMessage(HaWire.Message m) {
        switch (m.type()) {
            case STATE -> peer.put(m.state(), System.currentTimeMillis());
            case GONE -> peer.remove(m.gone());
            case HELLO -> { }
        }
        synchronized (this) {
            if (m.boot() != knownPeerBoot) {
                knownPeerBoot = m.boot();
                log.info("HA: peer {} (boot {}) heard; sending it the {} FTP control connections tracked here",
                        peerAddress, Long.toHexString(m.boot()), tracker.trackedCount());
                tracker.sendAll();
            }
        }
    }

    /** Becoming master: apply the peer's FTP state to the committed connections. */
    public synchronized FailoverReport promote() {
        Promotion.Outcome o = Promotion.run(peer.live(System.currentTimeMillis()), kernel);
        role = HaRole.MASTER;
        lastPromotion = o.report();
        promotions++;
        tracker.adopt(o.adopted());
        peer.clear();
        log.info("HA: promoted to master: {}", o.report().summary());
        return o.report();
    }

    public synchronized void demote() {
        role = HaRole.BACKUP;
        log.info("HA: now backup; keeping the peer's FTP state ({} control connections)", peer.size());
    }

    public ObjectNode status() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("role", role.name().toLowerCase());
        r.put("peer", peerAddress.getAddress().getHostAddress() + ":" + peerAddress.getPort());
        long last = link.lastReceivedMillis;
        long ago = last == 0 ? -1 : (System.currentTimeMillis() - last) / 1000;
        r.put("sync", last == 0 ? "peer never heard" : ago <= 3 * LocalTracker.HELLO_SECONDS ? "in sync" : "peer silent for " + ago + " s");
        r.put("tracked_here", tracker.trackedCount());
        r.put("held_for_peer", peer.size());
        r.put("messages_sent", link.sent.get());
        r.put("bytes_sent", link.sentBytes.get());
        r.put("messages_received", link.received.get());
        r.put("messages_rejected", link.rejected.get());
        r.put("promotions", promotions);
        FailoverReport p = lastPromotion;
        if (p != null) {
            r.set("last_failover", p.json());
        }
        return r;
    }

    /** What a failover does to a session the kernel helper carries, for 'sessions' and 'session show'. */
    public String sessionNote() {
        ObjectNode st = status();
        return "movable: conntrackd syncs the connections and the expectation, ftpnatd the sequence adjustment and the"
                + " expectation's NAT; this router is " + st.path("role").asText() + ", peer " + st.path("sync").asText();
    }

    @Override
    public void close() {
        tracker.close();
        link.close();
    }
}
