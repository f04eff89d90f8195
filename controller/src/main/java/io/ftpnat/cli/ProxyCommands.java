package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ftpnatctl proxy ...}: the userspace ALG (rules with mode: proxy). */
final class ProxyCommands {
    private ProxyCommands() {
    }

    @Command(name = "proxy", description = "The userspace FTP ALG (rules with mode: proxy).", subcommands = {SessionsCommand.class})
    static final class ProxyCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "sessions", description = {"Proxied FTP control connections and the data channel each has in the kernel."})
    static final class SessionsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        ProxyCommand proxy;

        @Override
        public Integer call() {
            return proxy.parent.request(spec, "proxy.sessions", null, (r, out) -> {
                out.printf("%-6s %-12s %-28s %-28s %-28s %-6s %s%n", "ID", "RULE", "CLIENT", "SERVER", "ROUTER", "LOGIN", "CHANNEL");
                for (JsonNode s : r.path("sessions")) {
                    JsonNode c = s.path("channel");
                    String channel = c.isMissingNode() ? "-"
                            : c.path("kind").asText() + " " + c.path("match").asText() + " => " + c.path("to").asText()
                                    + (c.has("from") ? " from " + c.path("from").asText() : "") + " (" + c.path("path").asText() + ")";
                    out.printf("%-6s %-12s %-28s %-28s %-28s %-6s %s%n", s.path("id").asText(), s.path("rule").asText(),
                            s.path("client").asText(), s.path("server").asText(), s.path("router").asText(),
                            s.path("logged_in").asBoolean() ? "yes" : "no", channel);
                }
                out.printf("%d sessions (listening: %s, accepted %d, refused %d)%n", r.path("sessions").size(),
                        r.path("listening").asBoolean() ? "yes" : "no", r.path("accepted").asLong(), r.path("refused").asLong());
            });
        }
    }
}
