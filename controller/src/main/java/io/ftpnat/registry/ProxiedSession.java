package io.ftpnat.registry;

import io.ftpnat.alg.ProxyServer;
import java.util.List;

/**
 * A session of the userspace ALG ({@code mode: proxy}): its control connection ends in the daemon,
 * so the kernel shows no helper on it; its data channels are nft map elements the ALG writes.
 */
public record ProxiedSession(ProxyServer.SessionView alg) implements Session {
    /** Ids of proxied sessions carry this prefix: the ALG numbers its sessions, the kernel's ids are conntrack ids. */
    public static final String ID_PREFIX = "proxy-";

    @Override
    public String id() {
        return ID_PREFIX + alg.id();
    }

    @Override
    public String rule() {
        return alg.rule();
    }

    /** The channel the session has pending, if any: the ALG holds one at a time (a new negotiation replaces it). */
    @Override
    public List<DataChannel> channels() {
        return ChannelConversion.proxied(alg);
    }
}
