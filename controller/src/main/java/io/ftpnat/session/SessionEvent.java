package io.ftpnat.session;

/** A change of a session worth streaming to {@code events} clients: type, session id, what happened. */
public record SessionEvent(String type, String session, String text) {
}
