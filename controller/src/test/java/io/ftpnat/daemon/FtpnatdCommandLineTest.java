package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What an operator (or Ansible's validate:) sees from the command line, without a kernel. */
class FtpnatdCommandLineTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Ftpnatd.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void checkOfflineAcceptsTheReferencePolicy() {
        assertThat(run("check", "--offline", "--policy", "../docs/examples/reference-lab.yaml")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("is valid: 2 snat and 1 dnat rules");
    }

    @Test
    void checkRefusesABadPolicyWithExitCode1AndTheProblem() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\ncontrol_ports: [21, 65536]\n");
        assertThat(run("check", "--offline", "--policy", bad.toString())).isEqualTo(ExitCode.INVALID_POLICY);
        assertThat(err.toString()).contains(bad + ":2:21: control_ports[1]: 65536 is out of range 1-65535");
    }

    @Test
    void renderPrintsTheTableWithoutTouchingTheKernel() {
        assertThat(run("render", "--policy", "../docs/examples/nonstandard-port.yaml")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("table inet ftpnat {").contains("tcp dport { 21, 2121 }");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run("run")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required option: '--policy=FILE'");
        assertThat(run("no-such-command")).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void versionAndHelpAnswer() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("ftpnatd ");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "check", "render", "flush", "capabilities");
    }
}
