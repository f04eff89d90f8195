package io.ftpnat.cli;

import io.ftpnat.Version;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.nativ.nft.NftException;
import io.ftpnat.ruleset.RulesetRenderer;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ftpnatctl", mixinStandardHelpOptions = true, versionProvider = Ftpnatctl.VersionProvider.class,
        description = "Query ftpnat on this router.",
        subcommands = {Ftpnatctl.RulesetCommand.class, CommandLine.HelpCommand.class})
public final class Ftpnatctl {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Ftpnatctl()).execute(args));
    }

    @Command(name = "ruleset", description = "Show ftpnatd's nftables table as the kernel holds it now.")
    static final class RulesetCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Option(names = "--table", defaultValue = RulesetRenderer.DEFAULT_TABLE, paramLabel = "NAME", description = "Table name (default: ${DEFAULT-VALUE}).")
        String table;

        @Override
        public Integer call() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-o: '" + output + "' is not a format; use text or json");
            }
            try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
                Optional<String> listed = kernel.list(table, output.equals("json"));
                if (listed.isEmpty()) {
                    spec.commandLine().getErr().println("no table inet " + table + " in this network namespace (is ftpnatd running?)");
                    return 1;
                }
                spec.commandLine().getOut().print(listed.get());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (NftException e) {
                spec.commandLine().getErr().println("cannot list table inet " + table + ": " + e.getMessage());
                return 3;
            }
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ftpnatctl " + Version.current()};
        }
    }
}
