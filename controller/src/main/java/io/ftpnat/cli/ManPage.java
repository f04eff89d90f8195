package io.ftpnat.cli;

import io.ftpnat.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Writes a troff man page from a picocli command model, so the page and --help can never
 * disagree. Run by the build: {@code ManPage DIR} writes ftpnatctl.1 and ftpnatd.8 into DIR.
 */
public final class ManPage {
    private ManPage() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(dir);
        write(Ftpnatctl.commandLine(), "1", dir.resolve("ftpnatctl.1"));
        write(io.ftpnat.daemon.Ftpnatd.commandLineForDocs(), "8", dir.resolve("ftpnatd.8"));
    }

    static void write(CommandLine cli, String section, Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            render(cli, section, out);
        }
    }

    static void render(CommandLine cli, String section, PrintWriter out) {
        CommandSpec spec = cli.getCommandSpec();
        String name = spec.name();
        out.printf(".TH %s %s \"\" \"ftpnat %s\" \"ftpnat\"%n", name.toUpperCase(java.util.Locale.ROOT), section, Version.current());
        out.println(".SH NAME");
        out.println(escape(name + " \\- " + String.join(" ", spec.usageMessage().description())));
        out.println(".SH SYNOPSIS");
        out.println(".B " + name);
        out.println("[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]");
        out.println(".SH OPTIONS");
        options(spec, out);
        out.println(".SH COMMANDS");
        commands(cli, name, out);
        if (spec.usageMessage().exitCodeList() != null && !spec.usageMessage().exitCodeList().isEmpty()) {
            out.println(".SH EXIT STATUS");
            for (Map.Entry<String, String> e : spec.usageMessage().exitCodeList().entrySet()) {
                out.println(".TP");
                out.println(".B " + e.getKey().trim());
                out.println(escape(e.getValue()));
            }
        }
        out.println(".SH SEE ALSO");
        out.println(".BR ftpnatd (8),");
        out.println(".BR ftpnatctl (1),");
        out.println(".BR conntrack (8),");
        out.println(".BR nft (8)");
        out.println(".PP");
        out.println("The policy format: /usr/share/doc/ftpnat/docs/policy.md. A first policy for a router, step by step:");
        out.println("/usr/share/doc/ftpnat/docs/router.md. The API: /usr/share/doc/ftpnat/docs/api.md.");
    }

    private static void commands(CommandLine cli, String path, PrintWriter out) {
        for (Map.Entry<String, CommandLine> e : cli.getSubcommands().entrySet()) {
            CommandSpec sub = e.getValue().getCommandSpec();
            if (sub.usageMessage().hidden() || e.getKey().equals("help")) {
                continue;
            }
            String full = path + " " + e.getKey();
            out.println(".SS " + escape(full.substring(full.indexOf(' ') + 1)));
            out.println(escape(String.join(" ", sub.usageMessage().description())));
            if (!sub.options().isEmpty() || !sub.positionalParameters().isEmpty()) {
                options(sub, out);
            }
            commands(e.getValue(), full, out);
        }
    }

    private static void options(CommandSpec spec, PrintWriter out) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || o.inherited()) {
                continue;
            }
            out.println(".TP");
            String names = String.join(", ", o.names());
            out.println(".B " + escape(names) + (o.arity().max() > 0 ? " \\fI" + escape(o.paramLabel()) + "\\fR" : ""));
            out.println(escape(String.join(" ", o.description()).replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()))));
        }
        for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
            out.println(".TP");
            out.println(".I " + escape(p.paramLabel()));
            out.println(escape(String.join(" ", p.description())));
        }
    }

    private static String escape(String s) {
        String t = s.replace("\\", "\\\\").replace("\\\\-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }
}
