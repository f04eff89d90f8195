package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ftpnatctl ha status|promote|demote}: the router pair (docs/ha.md). */
final class HaCommands {
    private HaCommands() {
    }

    @Command(name = "ha", description = "Router pairs: role, sync state, the last failover (docs/ha.md).",
            subcommands = {Status.class, Promote.class, Demote.class})
    static final class HaCommand {
        @ParentCommand
        Ftpnatctl parent;
    }

    @Command(name = "status", description = "Role, sync with the peer, what was corrected at the last failover.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        HaCommand ha;

        @Override
        public Integer call() {
            return ha.parent.request(spec, "ha.status", null, HaCommands::print);
        }
    }

    @Command(name = "promote", description = {"This router became master (keepalived's notify hook, after 'conntrackd -c'):",
            "write the FTP control connections' sequence adjustments and put their expectations back with NAT."})
    static final class Promote implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        HaCommand ha;

        @Override
        public Integer call() {
            return ha.parent.request(spec, "ha.promote", null, HaCommands::printFailover);
        }
    }

    @Command(name = "demote", description = "This router became backup (keepalived's notify hook).")
    static final class Demote implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        HaCommand ha;

        @Override
        public Integer call() {
            return ha.parent.request(spec, "ha.demote", null, HaCommands::print);
        }
    }

    static void print(JsonNode r, PrintWriter out) {
        out.printf("role %s, peer %s: %s%n", r.path("role").asText(), r.path("peer").asText(), r.path("sync").asText());
        out.printf("FTP control connections: %d tracked here, %d held for the peer%n", r.path("tracked_here").asLong(),
                r.path("held_for_peer").asLong());
        out.printf("messages: %d sent (%d bytes), %d received, %d rejected; promotions %d%n", r.path("messages_sent").asLong(),
                r.path("bytes_sent").asLong(), r.path("messages_received").asLong(), r.path("messages_rejected").asLong(),
                r.path("promotions").asLong());
        if (r.has("last_failover")) {
            out.print("last failover: ");
            printFailover(r.path("last_failover"), out);
        }
    }

    static void printFailover(JsonNode f, PrintWriter out) {
        out.printf("%s: %d described by the peer, %d found committed, %d sequence adjustments written,"
                        + " %d expectations restored with NAT, %d missing, %d without helper, %d refused, %d errors (%d ms)%n",
                f.path("at").asText(), f.path("described_by_peer").asLong(), f.path("found_committed").asLong(),
                f.path("sequence_adjustments_written").asLong(), f.path("expectations_restored_with_nat").asLong(),
                f.path("missing").asLong(), f.path("without_ftp_helper").asLong(), f.path("refused_inconsistent").asLong(),
                f.path("errors").asLong(), f.path("took_ms").asLong());
        for (JsonNode d : f.path("details")) {
            out.println("  " + TerminalText.of(d.asText()));
        }
    }
}
