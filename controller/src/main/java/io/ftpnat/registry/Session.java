package io.ftpnat.registry;

import java.util.List;

/**
 * One FTP session on the router, whichever way ftpnat handles it: {@link ObservedSession} (the
 * kernel helper carries it; the daemon observes and repairs) or {@link ProxiedSession} (a
 * {@code mode: proxy} rule: the daemon's ALG terminates its control connection). The API lists and
 * shows sessions only through {@link SessionRegistry}.
 */
public sealed interface Session permits ObservedSession, ProxiedSession {
    /** The id {@code session show} takes: the control connection's conntrack id, or {@code proxy-N}. */
    String id();

    /** The policy rule the session belongs to ("" when no rule of the policy in force names it, or not known). */
    String rule();

    /** Its data channels, as one value whatever the kind of session. */
    List<DataChannel> channels();
}
