package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/** What ftpnatctl's start-up relies on about its own command model. */
class CommandModelTest {
    /**
     * ftpnatctl tells picocli not to register its java.time and java.sql converters (see
     * Ftpnatctl.skipUnusedConverters): an option of such a type would then fail to convert.
     */
    @Test
    void noOptionNeedsTheSkippedConverters() {
        List<String> types = new ArrayList<>();
        collect(Ftpnatctl.commandLine(), types);
        assertThat(types).isNotEmpty().noneMatch(t -> t.startsWith("java.time.") || t.startsWith("java.sql."));
    }

    /** Help before the command's name prints the whole list of commands, as a bare --help does. */
    @Test
    void helpBeforeACommandNameListsEveryCommand() {
        int all = Ftpnatctl.commandLine().getSubcommands().size();
        assertThat(Ftpnatctl.commandLine(new String[] {"-h", "conntrack"}).getSubcommands()).hasSize(all);
        assertThat(Ftpnatctl.commandLine(new String[] {"--help", "policy", "show"}).getSubcommands()).hasSize(all);
        // a named command alone is built alone (the start-up saving), with --socket/-o in any form
        assertThat(Ftpnatctl.commandLine(new String[] {"--socket=/x", "-ojson", "conntrack", "count"}).getSubcommands())
                .containsOnlyKeys("conntrack");
    }

    private static void collect(CommandLine cli, List<String> types) {
        for (ArgSpec arg : cli.getCommandSpec().args()) {
            types.add(arg.type().getName());
            for (Class<?> aux : arg.auxiliaryTypes()) {
                types.add(aux.getName());
            }
        }
        cli.getSubcommands().values().forEach(sub -> collect(sub, types));
    }
}
