package io.ftpnat.policy;

import java.time.Duration;

/**
 * How ftpnatd's userspace ALG serves the rules with {@code mode: proxy} (the policy's optional
 * {@code proxy:} block). Every limit has a default that is safe on a small router; they exist
 * because the proxy holds sockets, threads and kernel map elements per session, and a client
 * must not be able to make it hold them without bound.
 */
public record ProxySettings(
        int listenPort,
        int maxSessions,
        int maxSessionsPerClient,
        Duration loginTimeout,
        Duration idleTimeout,
        int maxLineBytes,
        PortRange dataPorts,
        Duration dataTimeout) {

    public static final int DEFAULT_LISTEN_PORT = 8021;

    public static ProxySettings defaults() {
        return new ProxySettings(DEFAULT_LISTEN_PORT, 1000, 50, Duration.ofSeconds(60), Duration.ofSeconds(900), 2048,
                new PortRange(50000, 59999), Duration.ofSeconds(30));
    }
}
