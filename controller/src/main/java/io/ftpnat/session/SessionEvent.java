package io.ftpnat.session;

/**
 * A change of a session worth streaming to {@code events} clients: type, session id, what happened,
 * and the policy rule the session belongs to ("" when unknown).
 */
public record SessionEvent(String type, String session, String text, String rule) {
}
