package io.ftpnat.lab;

import java.nio.file.Path;
import java.time.Duration;

/** One network namespace of the lab, by name; every command runs through {@code ip netns exec}. */
public record Namespace(String name, String role) {
    public Cmd.Result exec(String... argv) { return Cmd.inNs(name, argv); }

    public Cmd.Result exec(Duration timeout, String... argv) { return Cmd.inNs(name, timeout, argv); }

    /** Runs and fails loudly unless it exits 0. */
    public String run(String... argv) { return Cmd.inNs(name, argv).check().out(); }

    public BackgroundProcess start(String what, Path log, String... argv) {
        return BackgroundProcess.startInNs(what + "@" + role, name, log, argv);
    }

    @Override
    public String toString() { return role + " (" + name + ")"; }
}
