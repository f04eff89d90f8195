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

    void applyLogLevel() {
        Logging.setLevel(logLevel);
    }
}
