package io.ftpnat.daemon;

import io.ftpnat.ruleset.RulesetRenderer;
import picocli.CommandLine.Option;

/** Options every ftpnatd subcommand takes. */
final class CommonOptions {
    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--table", paramLabel = "NAME", defaultValue = RulesetRenderer.DEFAULT_TABLE,
            description = "The nftables table (family inet) ftpnatd owns (default: ${DEFAULT-VALUE}).")
    String table;

    enum LogFormat { text, json }

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one line per event) or json (one JSON object per line, with the session id and rule"
                    + " of lines about a session, for log shipping) (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    void applyLogLevel() {
        Logging.setLevel(logLevel);
        Logging.setFormat(logFormat.name());
    }
}
