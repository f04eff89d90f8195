package io.ftpnat.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the log level from the command line (logback.xml holds the format). */
final class Logging {
    private Logging() {
    }

    static void setLevel(String level) {
        Level parsed = Level.toLevel(level, null);
        if (parsed == null) {
            throw new IllegalArgumentException("unknown log level '" + level + "' (error, warn, info, debug, trace)");
        }
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(parsed);
    }
}
