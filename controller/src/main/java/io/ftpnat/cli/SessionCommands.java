package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ftpnatctl session show ID}: one FTP session as the daemon's model (or, for {@code proxy-N}, its ALG) tells it. */
final class SessionCommands {
    private SessionCommands() {
    }

    @Command(name = "session", description = "One FTP session in detail (ids from 'ftpnatctl sessions').",
            subcommands = SessionShow.class)
    static final class SessionCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "show", description = {"The session's dialogue, data channels (as negotiated, as the kernel expects them,",
            "the data connection), repairs and a diagnosis."})
    static final class SessionShow implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        SessionCommand session;

        @Parameters(paramLabel = "ID", description = "The session id: the control connection's conntrack id, or proxy-N for a"
                + " session of the userspace ALG (mode: proxy).")
        String id;

        @Override
        public Integer call() {
            return session.parent.request(spec, "session.show", JsonNodeFactory.instance.objectNode().put("id", id),
                    SessionShow::print);
        }

        static void print(JsonNode s, PrintWriter out) {
            if ("proxy".equals(s.path("mode").asText())) {
                printProxied(s, out);
                return;
            }
            JsonNode c = s.path("control");
            out.printf("session %s  %s  (%s, helper %s)%n", s.path("id").asText(), ConntrackCommands.EntryTable.flow(c.path("original")),
                    s.path("state").asText(), c.path("helper").asText("-"));
            out.printf("  NAT: server sees %s%n", ConntrackCommands.EntryTable.flow(c.path("reply")));
            out.printf("  observed %s, recovered %s, bytes client %s / server %s, since %s%n", s.path("observed").asText(),
                    s.path("recovered").asText(), s.path("client_bytes").asText(), s.path("server_bytes").asText(),
                    s.path("since").asText());
            out.println("  dialogue (as it crossed the router, before the kernel's rewrite):");
            for (JsonNode l : s.path("dialogue")) {
                out.println("    " + TerminalText.of(l.asText()));
            }
            for (JsonNode ch : s.path("data_channels")) {
                out.printf("  channel %s  %s  (%s, by %s)  %s%n", ch.path("number").asText(), TerminalText.of(ch.path("negotiated").asText()),
                        ch.path("mode").asText(), ch.path("by").asText(), ch.path("state").asText());
                JsonNode e = ch.has("expectation") ? ch.path("expectation") : ch.path("planned_expectation");
                if (!e.isMissingNode()) {
                    out.printf("    %s %s%s%n", ch.has("expectation") ? "expectation" : "planned    ",
                            ConntrackCommands.EntryTable.flow(e.path("expected")),
                            e.has("nat") ? "  (NAT follows the control connection, to port " + e.path("nat").path("tuple").path("sport").asText() + ")" : "");
                }
                if (ch.has("data")) {
                    out.printf("    data        %s -> %s%n", ConntrackCommands.EntryTable.flow(ch.path("data").path("original")),
                            ConntrackCommands.EntryTable.flow(ch.path("data").path("reply")));
                }
                if (ch.has("repair_ms")) {
                    out.printf("    repaired %s ms after the reply passed the router%n", ch.path("repair_ms").asText());
                }
            }
            if (s.has("failover")) {
                out.println("  failover: " + TerminalText.of(s.path("failover").asText()));
            }
            out.println("  diagnosis:");
            for (JsonNode d : s.path("diagnosis")) {
                out.println("    " + TerminalText.of(d.asText()));
            }
        }

        /** A session of the userspace ALG: what 'proxy sessions' shows for it, and its channel. */
        static void printProxied(JsonNode s, PrintWriter out) {
            JsonNode p = s.path("proxy");
            out.printf("session %s  rule %s  (mode proxy)%n", s.path("id").asText(), TerminalText.of(p.path("rule").asText()));
            out.printf("  client %s -> %s; to the server %s from %s%n", p.path("client").asText(), p.path("client_view").asText(),
                    p.path("server").asText(), p.path("router").asText());
            out.printf("  started %s, logged in %s, commands %s, channels opened %s, refused commands %s, last activity %s%n",
                    p.path("started").asText(), p.path("logged_in").asText(), p.path("commands").asText(),
                    p.path("channels_opened").asText(), p.path("refused_commands").asText(), p.path("last_activity").asText());
            if (p.path("decisions").has("last")) {
                out.println("  last decision: " + TerminalText.of(p.path("decisions").path("last").asText()));
            }
            for (JsonNode ch : s.path("data_channels")) {
                out.printf("  channel %s  %s  (by %s)  %s%n", ch.path("number").asText(), ch.path("mode").asText(),
                        ch.path("by").asText(), ch.path("state").asText());
                out.printf("    client sees %s, server sees %s%n", ch.path("client").asText("-"), ch.path("server").asText("-"));
                out.printf("    %s => %s%s (%s)%n", ch.path("match").asText(), ch.path("to").asText(),
                        ch.has("from") ? " from " + ch.path("from").asText() : "", ch.path("path").asText());
            }
            if (s.path("data_channels").isEmpty()) {
                out.println("  no data channel pending");
            }
            if (s.has("failover")) {
                out.println("  failover: " + TerminalText.of(s.path("failover").asText()));
            }
        }
    }
}
