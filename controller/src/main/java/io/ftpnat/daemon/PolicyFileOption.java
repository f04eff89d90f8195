package io.ftpnat.daemon;

import io.ftpnat.policy.InterfaceCatalog;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.PolicyException;
import io.ftpnat.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --policy FILE} for the commands that read a policy and report on it to the terminal. */
final class PolicyFileOption {
    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy (YAML).")
    Path path;

    /** The validated policy; or empty, after printing every problem to {@code err}. */
    Optional<Policy> load(InterfaceCatalog interfaces, PrintWriter err) {
        try {
            return Optional.of(new PolicyLoader(interfaces).load(path));
        } catch (PolicyException e) {
            err.println("policy " + path + " is invalid:");
            err.println(e.getMessage());
            return Optional.empty();
        }
    }
}
