package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one data channel a proxied session may have pending, with the router port it holds: a new
 * negotiation replaces the old one (in one kernel transaction when the table can), the end of a
 * transfer or of the session withdraws it. Used under its {@link ControlDialogue}'s lock.
 */
final class SessionChannel {
    private static final Logger log = LoggerFactory.getLogger(SessionChannel.class);

    private final long sessionId;
    private final SessionAddresses at;
    private final DataChannelTable table;
    private final PortAllocator ports;
    private final AtomicLong channelIds;
    private final Clock clock;
    private ChannelElement channel;
    private int port = -1;
    private long opened;

    SessionChannel(long sessionId, SessionAddresses at, DataChannelTable table, PortAllocator ports, AtomicLong channelIds, Clock clock) {
        this.sessionId = sessionId;
        this.at = at;
        this.table = table;
        this.ports = ports;
        this.channelIds = channelIds;
        this.clock = clock;
    }

    /** A free router port for a new channel (other than {@code avoid}), or -1. */
    int allocate(int avoid) {
        return ports.allocate(avoid);
    }

    /** Opens the channel on the router's {@code port} (from {@link #allocate}); false, and nothing held, if the kernel refused. */
    boolean open(ChannelElement.Kind kind, FlowKey match, IpAddress target, int targetPort, Optional<IpAddress> snat, int routerPort) {
        // The kernel cannot NAT between IPv4 and IPv6: only then does the data pass through the daemon.
        ChannelElement.Path path = at.clientAddress().v6() == at.serverAddress().v6()
                ? ChannelElement.Path.KERNEL : ChannelElement.Path.RELAYED;
        ChannelElement c = new ChannelElement(channelIds.incrementAndGet(), sessionId, kind, match, target, targetPort, snat, path,
                clock.instant());
        ChannelElement old = channel;
        int oldPort = port;
        channel = null;
        port = -1;
        try {
            if (old != null) {
                table.replace(old, c);
            } else {
                table.install(c);
            }
        } catch (IOException e) {
            log.error("session {}: {}", sessionId, e.getMessage());
            if (old != null) {
                table.remove(old); // whatever the failed transaction left, the old channel is gone
                ports.release(oldPort);
            }
            ports.release(routerPort);
            return false;
        }
        if (old != null) {
            ports.release(oldPort);
        }
        channel = c;
        port = routerPort;
        opened++;
        log.debug("session {}: data channel {}", sessionId, c);
        return true;
    }

    /** Withdraws the channel, if any, and gives its port back. */
    void close() {
        if (channel != null) {
            table.remove(channel);
            ports.release(port);
            channel = null;
            port = -1;
        }
    }

    /** Puts a kernel channel back after the table was replaced (a policy apply); a relay has no table entry. */
    void reinstall() {
        if (channel != null && channel.path() == ChannelElement.Path.KERNEL) {
            try {
                table.install(channel);
            } catch (IOException e) {
                log.warn("session {}: could not re-add {} after the policy was applied: {}", sessionId, channel, e.getMessage());
            }
        }
    }

    Optional<ChannelElement> current() {
        return Optional.ofNullable(channel);
    }

    long opened() {
        return opened;
    }
}
