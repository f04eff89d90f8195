package io.ftpnat.alg;

/**
 * What the ALG tells whoever counts (the daemon's metrics): events with bounded labels only, a
 * rule name or a fixed reason, never an address. Called on the ALG's own threads: implementations
 * are quick and never throw.
 */
public interface AlgObserver {
    AlgObserver NONE = new AlgObserver() {
    };

    /** A diverted connection became a session of {@code rule}. */
    default void sessionStarted(String rule) {
    }

    /** A connection was turned away; {@code reason} is one of the constants below. */
    default void refused(String reason) {
    }

    /** The ALG decided on one client command (parse, check, data channel installed) in {@code nanos}. */
    default void commandHandled(long nanos) {
    }

    String LIMIT = "limit";
    String NO_RULE = "no_rule";
    String SERVER_UNREACHABLE = "server_unreachable";
}
