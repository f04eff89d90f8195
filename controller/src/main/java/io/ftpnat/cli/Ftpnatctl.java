package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftpnat.Version;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.kernel.RulesetException;
import io.ftpnat.ruleset.RulesetRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ftpnatctl", mixinStandardHelpOptions = true, versionProvider = Ftpnatctl.VersionProvider.class,
        description = "Query and drive ftpnatd on this router.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:ftpnatd answered with an error (e.g. an invalid policy, not permitted)",
                "2:usage error", "3:ftpnatd (or the kernel) cannot be reached"})
public final class Ftpnatctl {
    static final int DAEMON_ERROR = 1;
    static final int UNREACHABLE = 3;

    @Option(names = "--socket", paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "ftpnatd's socket (default: $FTPNAT_SOCKET or /run/ftpnat/ftpnat.sock).")
    Path socket;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = CommandLine.ScopeType.INHERIT,
            description = {"table, json or conntrack (default: table on a terminal, json otherwise).",
                    "json prints one JSON object per line for lists; conntrack prints conntrack-tools' line format."})
    String output;

    /** Every subcommand, in the order help lists them. */
    private static final java.util.Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static java.util.Map<String, Class<?>> subcommands() {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        m.put("status", StatusCommand.class);
        m.put("conntrack", ConntrackCommands.ConntrackCommand.class);
        m.put("expect", ConntrackCommands.ExpectCommand.class);
        m.put("sessions", ConntrackCommands.SessionsCommand.class);
        m.put("session", SessionCommands.SessionCommand.class);
        m.put("events", ConntrackCommands.EventsCommand.class);
        m.put("proxy", ProxyCommands.ProxyCommand.class);
        m.put("ha", HaCommands.HaCommand.class);
        m.put("policy", PolicyCommand.class);
        m.put("ruleset", RulesetCommand.class);
        m.put("metrics", MetricsCommand.class);
        m.put("generate-completion", picocli.AutoComplete.GenerateCompletion.class);
        m.put("help", CommandLine.HelpCommand.class);
        return m;
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command model (for help, man page and completion). */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command model for these arguments. picocli builds a subcommand's model by reflection when
     * it is added; building all of them costs a third of ftpnatctl's start-up, so a command line
     * that names one subcommand gets only that one. Anything else (help, usage errors) gets all.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new Ftpnatctl()).setAllowSubcommandsAsOptionParameters(true);
        String named = firstWord(args);
        if (named != null && SUBCOMMANDS.containsKey(named) && !named.equals("help")) {
            cli.addSubcommand(named, SUBCOMMANDS.get(named));
        } else if (named == null && args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"))) {
            return cli;
        } else {
            SUBCOMMANDS.forEach(cli::addSubcommand);
        }
        return cli;
    }

    /**
     * The first argument that is neither --socket nor -o (nor their values); null if there is none,
     * or if any other option comes first: it may be --help, whose list of commands must be whole.
     */
    private static String firstWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--socket") || a.equals("-o") || a.equals("--output")) {
                i++;
            } else if (a.startsWith("--socket=") || a.startsWith("--output=") || (a.startsWith("-o") && !a.startsWith("--"))) {
                continue;
            } else if (a.startsWith("-")) {
                return null;
            } else {
                return a;
            }
        }
        return null;
    }

    Path socket() {
        return socketPath(socket, System.getenv("FTPNAT_SOCKET"));
    }

    /** --socket, else $FTPNAT_SOCKET, else the daemon's default. */
    static Path socketPath(Path option, String env) {
        if (option != null) {
            return option;
        }
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("/run/ftpnat/ftpnat.sock");
    }

    boolean json(CommandSpec spec) {
        if (output == null) {
            return System.console() == null;
        }
        if (!output.equals("json") && !output.equals("table") && !output.equals("conntrack")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-o: '" + output + "' is not a format; use table, json or conntrack");
        }
        return output.equals("json");
    }

    boolean conntrackLines() {
        return "conntrack".equals(output);
    }

    /** Runs a streamed request and prints each item as it arrives. */
    int stream(CommandSpec spec, String command, com.fasterxml.jackson.databind.node.ObjectNode args, ConntrackCommands.EntryTable table) {
        PrintWriter err = spec.commandLine().getErr();
        boolean json = json(spec);
        boolean lines = conntrackLines() && table != ConntrackCommands.EntryTable.SESSION;
        if (lines) {
            args.put("format", "conntrack");
        }
        return withDaemon(spec, command, client -> {
            long n;
            if (lines && table != ConntrackCommands.EntryTable.EVENT) {
                // conntrack -L's format: line bytes are copied, never decoded (see ApiClient.streamLines)
                java.io.OutputStream sink = new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
                n = client.streamLines(command, args, sink);
                sink.flush();
            } else if (json && table != ConntrackCommands.EntryTable.EVENT) {
                // -o json: each item's bytes are copied as they came, one object per line (ApiClient.streamItems)
                java.io.OutputStream sink = new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
                n = client.streamItems(command, args, sink,
                        () -> err.println("ftpnatctl: the kernel restarted an interrupted dump; entries above may repeat below"));
                sink.flush();
            } else {
                // picocli's writer flushes on every println; a 100,000-line listing must not make 100,000 writes.
                PrintWriter out = new PrintWriter(new java.io.BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
                if (!json && !lines && !table.header().isEmpty()) {
                    out.println(table.header());
                }
                n = client.stream(command, args, new ApiClient.StreamHandler() {
                    @Override
                    public void item(String raw) throws IOException {
                        if (lines) {
                            String text = ApiClient.lineOf(raw, client.json());
                            if (!text.isEmpty()) {
                                out.println(text);
                            }
                        } else if (json) {
                            out.println(ApiClient.itemJson(raw));
                        } else {
                            table.row(client.json().read(raw).get("item"), out);
                        }
                        if (table == ConntrackCommands.EntryTable.EVENT) {
                            out.flush();
                        }
                    }

                    @Override
                    public void restart() {
                        err.println("ftpnatctl: the kernel restarted an interrupted dump; entries above may repeat below");
                    }
                });
                out.flush();
                spec.commandLine().getOut().flush();
            }
            if (lines && command.equals("conntrack.list")) {
                err.println("ftpnatctl: " + n + " flow entries have been shown.");
            }
            return 0;
        });
    }

    /** Runs one request and prints its result. */
    int request(CommandSpec spec, String command, com.fasterxml.jackson.databind.node.ObjectNode args, Printer table) {
        PrintWriter out = spec.commandLine().getOut();
        boolean json = json(spec);
        return withDaemon(spec, command, client -> {
            JsonNode result = client.call(command, args == null ? client.args() : args);
            if (json) {
                out.println(client.json().pretty(result));
            } else {
                table.print(result, out);
            }
            out.flush();
            return 0;
        });
    }

    private interface DaemonCall {
        int run(ApiClient client) throws IOException, ApiClient.Failed, ApiClient.Unreachable;
    }

    /** Connects to the daemon and runs the call; the exit codes and messages every subcommand shares. */
    private int withDaemon(CommandSpec spec, String command, DaemonCall call) {
        PrintWriter err = spec.commandLine().getErr();
        try (ApiClient client = ApiClient.connect(socket())) {
            return call.run(client);
        } catch (ApiClient.Unreachable e) {
            err.println("ftpnatctl: " + e.getMessage());
            return UNREACHABLE;
        } catch (ApiClient.Failed e) {
            err.println("ftpnatctl " + command + ": " + TerminalText.of(e.getMessage()) + " [" + TerminalText.of(e.code) + "]");
            return DAEMON_ERROR;
        } catch (IOException e) {
            err.println("ftpnatctl " + command + ": " + e.getMessage());
            return UNREACHABLE;
        }
    }

    interface Printer {
        void print(JsonNode result, PrintWriter out);
    }

    /** Prints an object as aligned "key: value" lines, nested objects indented. */
    static void printFields(JsonNode node, PrintWriter out, String indent) {
        int width = 0;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            width = Math.max(width, it.next().length());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                out.println(indent + e.getKey() + ":");
                printFields(e.getValue(), out, indent + "  ");
            } else {
                out.printf("%s%-" + (width + 1) + "s %s%n", indent, TerminalText.of(e.getKey()) + ":", TerminalText.of(e.getValue().asText()));
            }
        }
    }

    @Command(name = "status", description = "Version, uptime, policy digest, kernel capabilities, counts.")
    static final class StatusCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ftpnatctl parent;

        @Override
        public Integer call() {
            return parent.request(spec, "status", null, (r, out) -> printFields(r, out, ""));
        }
    }

    @Command(name = "metrics", description = {"The daemon's Prometheus metrics, in the text format a scrape gets",
            "(ftpnatd run --metrics-listen serves the same over HTTP; docs/operations.md lists them)."})
    static final class MetricsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ftpnatctl parent;

        @Override
        public Integer call() {
            if ("json".equals(parent.output)) {
                return parent.request(spec, "metrics", null, null);
            }
            // the text itself, on a terminal or not: it is what promtool and scripts read
            PrintWriter out = spec.commandLine().getOut();
            return parent.withDaemon(spec, "metrics", client -> {
                out.print(client.call("metrics", client.args()).path("text").asText());
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "policy", description = "Show, check, apply or flush the policy.",
            subcommands = {PolicyShow.class, PolicyCheck.class, PolicyApply.class, PolicyFlush.class})
    static final class PolicyCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "show", description = "The policy in force: its text, digest and the ruleset it became.")
    static final class PolicyShow implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        PolicyCommand policy;

        @Option(names = "--ruleset", description = "Print the nftables ruleset instead of the policy.")
        boolean ruleset;

        @Override
        public Integer call() {
            return policy.parent.request(spec, "policy.show", null, (r, out) -> {
                if (ruleset) {
                    out.print(r.path("ruleset").asText());
                } else {
                    out.println("# " + r.path("file").asText() + ", digest " + r.path("digest").asText() + ", applied "
                            + r.path("applied_at").asText());
                    out.print(r.path("policy").asText());
                }
            });
        }
    }

    @Command(name = "check", description = "Have the daemon validate a policy file (or the one it serves) without applying it.")
    static final class PolicyCheck implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        PolicyCommand policy;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "A policy to check; without it, the daemon's own file.")
        Path file;

        @Override
        public Integer call() {
            return policy.parent.request(spec, "policy.check", withPolicy(spec, file),
                    (r, out) -> out.println("valid, digest " + r.path("digest").asText()
                            + (r.path("changes").asBoolean() ? " (differs from the running policy)" : " (same as the running policy)")));
        }
    }

    @Command(name = "apply", description = {"Apply a policy file (or re-read the daemon's own file).",
            "The daemon validates it, applies it atomically and, if given, saves it as its policy file."})
    static final class PolicyApply implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        PolicyCommand policy;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "A policy to apply; without it, the daemon re-reads its file.")
        Path file;

        @Override
        public Integer call() {
            return policy.parent.request(spec, "policy.apply", withPolicy(spec, file),
                    (r, out) -> out.println((r.path("changed").asBoolean() ? "applied" : "unchanged") + ", digest " + r.path("digest").asText()));
        }
    }

    @Command(name = "flush", description = {"Remove the daemon's table (as 'ftpnatd flush'): new FTP sessions are no longer",
            "helped. The daemon keeps running and does not put the table back until the next policy apply."})
    static final class PolicyFlush implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        PolicyCommand policy;

        @Override
        public Integer call() {
            return policy.parent.request(spec, "policy.flush", null,
                    (r, out) -> out.println((r.path("removed").asBoolean() ? "removed " : "not there: ") + r.path("table").asText()));
        }
    }

    static com.fasterxml.jackson.databind.node.ObjectNode withPolicy(CommandSpec spec, Path file) {
        var args = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (file != null) {
            try {
                args.put("policy", Files.readString(file, StandardCharsets.UTF_8));
                args.put("source", file.toString());
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
            }
        }
        return args;
    }

    @Command(name = "ruleset", description = "ftpnatd's nftables table as the kernel holds it now (read from the kernel, not the daemon).")
    static final class RulesetCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ftpnatctl parent;

        @Option(names = "--table", defaultValue = RulesetRenderer.DEFAULT_TABLE, paramLabel = "NAME", description = "Table name (default: ${DEFAULT-VALUE}).")
        String table;

        @Override
        public Integer call() {
            boolean json = parent.json(spec) && parent.output != null;
            try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
                Optional<String> listed = kernel.list(table, json);
                if (listed.isEmpty()) {
                    spec.commandLine().getErr().println("no table inet " + table + " in this network namespace (is ftpnatd running?)");
                    return DAEMON_ERROR;
                }
                spec.commandLine().getOut().print(listed.get());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (RulesetException e) {
                spec.commandLine().getErr().println("cannot list table inet " + table + ": " + e.getMessage());
                return UNREACHABLE;
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
