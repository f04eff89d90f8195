package io.ftpnat.session;

import org.slf4j.MDC;

/**
 * The session id and rule name in the logging context (MDC) for the lines logged about one
 * session, whichever thread logs them (the observer's, the reconciler's): the log pattern prints
 * them as {@code [session=ID rule=NAME]}, and the JSON log format as fields an operator can search.
 */
final class SessionMdc implements AutoCloseable {
    private SessionMdc() {
    }

    static SessionMdc of(FtpSession s) {
        MDC.put("session", s.id);
        MDC.put("rule", s.rule);
        return new SessionMdc();
    }

    @Override
    public void close() {
        MDC.remove("session");
        MDC.remove("rule");
    }
}
