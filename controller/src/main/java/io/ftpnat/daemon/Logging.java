package io.ftpnat.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the log level and format from the command line (logback.xml holds the text format). */
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

    /**
     * text: logback.xml's pattern. json: logstash-logback-encoder's JSON lines on the same appender
     * (timestamp, level, logger, thread, message, and the MDC: {@code session}, {@code rule}). The
     * encoder's classes load only when json is asked for.
     */
    static void setFormat(String format) {
        if ("text".equals(format)) {
            return;
        }
        if (!"json".equals(format)) {
            throw new IllegalArgumentException("unknown log format '" + format + "' (text, json)");
        }
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                (ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("STDOUT");
        net.logstash.logback.encoder.LogstashEncoder json = new net.logstash.logback.encoder.LogstashEncoder();
        json.setContext(root.getLoggerContext());
        json.start();
        appender.stop();
        appender.setEncoder(json);
        appender.start();
    }
}
