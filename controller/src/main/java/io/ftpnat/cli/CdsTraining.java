package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The build runs this once with -XX:ArchiveClassesAtExit to write ftpnatctl's class-data-sharing
 * archive: it loads what a real query loads (the whole command model, help, JSON reading and
 * writing, the table printers) without needing a daemon.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        StringWriter sink = new StringWriter();
        var cli = Ftpnatctl.commandLine();
        cli.setOut(new PrintWriter(sink));
        cli.setErr(new PrintWriter(sink));
        cli.usage(new PrintWriter(sink));
        for (String command : new String[] {"status", "conntrack", "expect", "sessions", "events", "policy"}) {
            cli.getSubcommands().get(command).usage(new PrintWriter(sink));
        }
        cli.execute("--socket", "/nonexistent/ftpnat.sock", "-o", "table", "status");
        JsonText json = new JsonText();
        JsonNode status = json.read("{\"v\":1,\"id\":1,\"ok\":true,\"result\":{\"version\":\"x\",\"kernel\":{\"nat\":true},"
                + "\"policy\":{\"digest\":\"0\"},\"counts\":{\"conntrack_entries\":1}}}");
        Ftpnatctl.printFields(status.get("result"), new PrintWriter(sink), "");
        sink.write(json.pretty(status));
        sink.write(new String(json.bytes(status), java.nio.charset.StandardCharsets.UTF_8));
        JsonNode entry = json.read("{\"item\":{\"protocol\":\"tcp\",\"state\":\"ESTABLISHED\",\"timeout\":1,"
                + "\"original\":{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"sport\":1,\"dport\":21},"
                + "\"reply\":{\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\",\"sport\":21,\"dport\":1}}}");
        for (ConntrackCommands.EntryTable t : ConntrackCommands.EntryTable.values()) {
            t.header();
        }
        ConntrackCommands.EntryTable.CONNTRACK.row(entry.get("item"), new PrintWriter(sink));
        ApiClient.lineOf("{\"item\":{\"line\":\"tcp 6 1\"}}", json);
        succeed();
    }

    /**
     * Every form a user types, against a stand-in daemon, as ftpnatctl's main runs it (its own
     * command model per command line): the success paths'
     * classes and lambdas go into the archive — each form, not a chosen few. Output goes to the
     * training log.
     */
    private static void succeed() throws Exception {
        try (CdsTrainingDaemon daemon = CdsTrainingDaemon.start()) {
            String sock = daemon.socket().toString();
            String[][] forms = {
                {"status"}, {"-o", "json", "status"}, {"-o", "table", "status"},
                {"conntrack", "count"}, {"conntrack", "count", "-p", "tcp", "--dport", "21"},
                {"conntrack", "list"}, {"-o", "conntrack", "conntrack", "list"}, {"-o", "json", "conntrack", "list"},
                {"-o", "conntrack", "conntrack", "list", "-p", "tcp", "--dport", "21", "-s", "10.0.0.1"},
                {"-o", "json", "conntrack", "list", "-p", "tcp", "--dport", "21"},
                {"expect", "list"}, {"-o", "conntrack", "expect", "list"}, {"sessions"}, {"-o", "json", "sessions"},
            };
            for (String[] form : forms) {
                String[] args = new String[form.length + 2];
                args[0] = "--socket";
                args[1] = sock;
                System.arraycopy(form, 0, args, 2, form.length);
                Ftpnatctl.commandLine(args).execute(args);
            }
        }
    }
}
