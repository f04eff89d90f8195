package io.ftpnat.session;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who hears of a session's changes ({@code events} clients, metrics): a listener that throws is logged and skipped. */
final class SessionListeners {
    private static final Logger log = LoggerFactory.getLogger(SessionModel.class);
    private final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<SessionEvent> l) {
        listeners.add(l);
    }

    void remove(Consumer<SessionEvent> l) {
        listeners.remove(l);
    }

    void emit(String type, FtpSession s, String text) {
        if (listeners.isEmpty()) {
            return;
        }
        SessionEvent e = new SessionEvent(type, s.id, text, s.rule);
        for (Consumer<SessionEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                try (SessionMdc mdc = SessionMdc.of(s)) {
                    log.debug("session event listener failed: {}", ex.toString());
                }
            }
        }
    }
}
