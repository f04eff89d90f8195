package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What ftpnatctl's start-up relies on about its own command model. */
class CommandModelTest {
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
}
