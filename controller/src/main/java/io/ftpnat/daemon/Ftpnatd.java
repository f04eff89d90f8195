package io.ftpnat.daemon;

import io.ftpnat.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ftpnatd", mixinStandardHelpOptions = true, versionProvider = Ftpnatd.VersionProvider.class,
        description = {"FTP through Linux NAT.",
                "Turns a YAML policy into an nftables ruleset that attaches the kernel FTP helper",
                "to the flows the policy names."},
        subcommands = {RunCommand.class, CheckCommand.class, RenderCommand.class, FlushCommand.class,
                CapabilitiesCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:invalid policy (file, line and field are named)", "2:usage error",
                "3:the kernel lacks a capability or refused the ruleset (nothing changed)"})
public final class Ftpnatd {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command model, for generated documentation (man page, completion). */
    public static CommandLine commandLineForDocs() {
        return commandLine();
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Ftpnatd());
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCode.USAGE : ExitCode.KERNEL);
        return cli;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ftpnatd " + Version.current()};
        }
    }
}
