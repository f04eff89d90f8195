package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** ftpnatctl's views of the kernel's conntrack and expectation tables, through the daemon. */
final class ConntrackCommands {
    private ConntrackCommands() {
    }

    /** The filters of conntrack -L, with its short names where it has them. */
    static final class Filters {
        @Option(names = {"-f", "--family"}, paramLabel = "FAMILY", description = "ipv4 or ipv6.")
        String family;

        @Option(names = {"-p", "--proto"}, paramLabel = "PROTO", description = "tcp, udp, icmp, icmpv6, sctp.")
        String protocol;

        @Option(names = {"-s", "--src", "--orig-src"}, paramLabel = "ADDR", description = "Source address of the original direction.")
        String src;

        @Option(names = {"-d", "--dst", "--orig-dst"}, paramLabel = "ADDR", description = "Destination address of the original direction.")
        String dst;

        @Option(names = "--sport", paramLabel = "PORT", description = "Source port of the original direction.")
        Integer sport;

        @Option(names = "--dport", paramLabel = "PORT", description = "Destination port of the original direction.")
        Integer dport;

        @Option(names = "--helper", paramLabel = "NAME", description = "Helper attached (e.g. ftp).")
        String helper;

        @Option(names = {"-m", "--mark"}, paramLabel = "MARK", description = "Connection mark.")
        Long mark;

        @Option(names = {"-w", "--zone"}, paramLabel = "ZONE", description = "Conntrack zone.")
        Integer zone;

        @Option(names = "--state", paramLabel = "STATE", description = "TCP state (ESTABLISHED, TIME_WAIT, ...).")
        String state;

        @Option(names = {"-n", "--nat"}, description = "Only NAT-ed connections (src or dst NAT).")
        boolean nat;

        ObjectNode toArgs() {
            ObjectNode a = JsonNodeFactory.instance.objectNode();
            put(a, "family", family);
            put(a, "protocol", protocol);
            put(a, "src", src);
            put(a, "dst", dst);
            if (sport != null) {
                a.put("sport", sport);
            }
            if (dport != null) {
                a.put("dport", dport);
            }
            put(a, "helper", helper);
            if (mark != null) {
                a.put("mark", mark);
            }
            if (zone != null) {
                a.put("zone", zone);
            }
            put(a, "state", state);
            if (nat) {
                a.put("nat", true);
            }
            return a;
        }

        private static void put(ObjectNode a, String k, String v) {
            if (v != null) {
                a.put(k, v);
            }
        }
    }

    @Command(name = "conntrack", description = "The kernel's conntrack table.", subcommands = {ListCommand.class, CountCommand.class})
    static final class ConntrackCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "list", description = {"List conntrack entries, filtered as conntrack -L filters.",
            "-o conntrack prints conntrack-tools' own line format."})
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        ConntrackCommand conntrack;

        @CommandLine.Mixin
        Filters filters;

        @Override
        public Integer call() {
            Ftpnatctl ctl = conntrack.parent;
            return ctl.stream(spec, "conntrack.list", filters.toArgs(), EntryTable.CONNTRACK);
        }
    }

    @Command(name = "count", description = "Count conntrack entries matching the filters.")
    static final class CountCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        ConntrackCommand conntrack;

        @CommandLine.Mixin
        Filters filters;

        @Override
        public Integer call() {
            return conntrack.parent.request(spec, "conntrack.count", filters.toArgs(), (r, out) -> out.println(r.path("count").asLong()));
        }
    }

    @Command(name = "expect", description = "The kernel's expectation table.", subcommands = ExpectList.class)
    static final class ExpectCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "list", description = "List expectations (data connections a helper is waiting for).")
    static final class ExpectList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        ExpectCommand expect;

        @Override
        public Integer call() {
            return expect.parent.stream(spec, "expect.list", JsonNodeFactory.instance.objectNode(), EntryTable.EXPECT);
        }
    }

    @Command(name = "sessions", description = "FTP sessions: control connections with their expectations and data connections.")
    static final class SessionsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ftpnatctl parent;

        @Override
        public Integer call() {
            return parent.stream(spec, "sessions", JsonNodeFactory.instance.objectNode(), EntryTable.SESSION);
        }
    }

    @Command(name = "events", description = {"Follow conntrack and expectation events as they happen (like conntrack -E).",
            "Stops after --count events or --seconds, or on Ctrl-C."})
    static final class EventsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ftpnatctl parent;

        @CommandLine.Mixin
        Filters filters;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
        Long count;

        @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds.")
        Long seconds;

        @Override
        public Integer call() {
            ObjectNode args = filters.toArgs();
            if (count != null) {
                args.put("count", count);
            }
            if (seconds != null) {
                args.put("seconds", seconds);
            }
            return parent.stream(spec, "events", args, EntryTable.EVENT);
        }
    }

    /** Human-readable rows for the table output. */
    enum EntryTable {
        CONNTRACK {
            @Override
            String header() {
                return String.format("%-6s %-12s %-47s %-47s %-6s %s", "PROTO", "STATE", "ORIGINAL", "REPLY", "HELPER", "TIMEOUT");
            }

            @Override
            void row(JsonNode c, PrintWriter out) {
                out.printf("%-6s %-12s %-47s %-47s %-6s %s%n", c.path("protocol").asText(), c.path("state").asText("-"),
                        flow(c.path("original")), flow(c.path("reply")), c.path("helper").asText("-"), c.path("timeout").asText());
            }
        },
        EXPECT {
            @Override
            String header() {
                return String.format("%-47s %-47s %-6s %s", "EXPECTED", "MASTER", "HELPER", "TIMEOUT");
            }

            @Override
            void row(JsonNode e, PrintWriter out) {
                out.printf("%-47s %-47s %-6s %s%n", flow(e.path("expected")), flow(e.path("master")), e.path("helper").asText("-"),
                        e.path("timeout").asText());
            }
        },
        EVENT {
            @Override
            String header() {
                return "";
            }

            @Override
            void row(JsonNode e, PrintWriter out) {
                String type = e.path("type").asText();
                if (type.equals("heartbeat")) {
                    return;
                }
                if (type.equals("lost")) {
                    out.println("[LOST] the kernel dropped events (receive buffer full); list the table to resynchronise");
                    return;
                }
                JsonNode c = e.has("conntrack") ? e.get("conntrack") : e.get("expectation");
                JsonNode flow = e.has("conntrack") ? c.path("original") : c.path("expected");
                out.printf("%-14s %-6s %-12s %s%n", "[" + type.toUpperCase(java.util.Locale.ROOT) + "]", c.path("protocol").asText(
                        flow.path("protocol").asText()), c.path("state").asText("-"), flow(flow));
                out.flush();
            }
        },
        SESSION {
            @Override
            String header() {
                return "";
            }

            @Override
            void row(JsonNode s, PrintWriter out) {
                if (s.has("proxy")) {
                    proxied(s.path("proxy"), s.path("id").asText(), out);
                    if (s.has("failover")) {
                        out.printf("  failover   %s%n", TerminalText.of(s.path("failover").asText()));
                    }
                    return;
                }
                JsonNode c = s.path("control");
                out.printf("session %s  (%s, helper %s)%s%n", flow(c.path("original")), c.path("state").asText("-"), c.path("helper").asText(),
                        s.has("id") ? "  id " + s.path("id").asText() : "");
                out.printf("  NAT: server sees %s%n", flow(c.path("reply")));
                for (JsonNode e : s.path("expectations")) {
                    out.printf("  expecting  %s  (%s s left)%n", flow(e.path("expected")), e.path("timeout").asText());
                }
                for (JsonNode d : s.path("data")) {
                    out.printf("  data       %s  -> %s  %s%n", flow(d.path("original")), flow(d.path("reply")), d.path("state").asText("-"));
                }
                JsonNode m = s.path("session");
                if (m.has("last_channel")) {
                    out.printf("  channel    %s  (%s of %s repaired)%n", m.path("last_channel").asText(), m.path("repairs").asText(),
                            m.path("channels").asText());
                }
                for (JsonNode d : m.path("diagnosis")) {
                    out.printf("  diagnosis  %s%n", d.asText());
                }
                if (s.has("failover")) {
                    out.printf("  failover   %s%n", TerminalText.of(s.path("failover").asText()));
                }
            }

            /** A session of the userspace ALG: two TCP connections meeting in the daemon. */
            private void proxied(JsonNode p, String id, PrintWriter out) {
                out.printf("session %s -> %s  (proxied by ftpnatd, rule %s)  id %s%n", p.path("client").asText(), p.path("server").asText(),
                        p.path("rule").asText(), id);
                out.printf("  client reached %s; server sees %s%n", p.path("client_view").asText(), p.path("router").asText());
                JsonNode ch = p.path("channel");
                if (ch.isObject()) {
                    out.printf("  channel    %s %s  %s -> %s  (%s)%n", ch.path("kind").asText(), ch.path("id").asText(), ch.path("match").asText(),
                            ch.path("to").asText(), ch.path("path").asText());
                }
            }
        };

        abstract String header();

        abstract void row(JsonNode item, PrintWriter out);

        static String flow(JsonNode t) {
            return endpoint(t.path("src").asText(), t.path("sport").asText("")) + " -> " + endpoint(t.path("dst").asText(), t.path("dport").asText(""));
        }

        private static String endpoint(String addr, String port) {
            if (port.isEmpty()) {
                return addr;
            }
            return addr.contains(":") ? "[" + addr + "]:" + port : addr + ":" + port;
        }
    }
}
