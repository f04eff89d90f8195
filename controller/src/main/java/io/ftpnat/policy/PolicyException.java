package io.ftpnat.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that cannot be applied, with every problem found (not just the first). */
public final class PolicyException extends Exception {
    private final List<PolicyProblem> problems;

    public PolicyException(List<PolicyProblem> problems) {
        this(sorted(problems), true);
    }

    private PolicyException(List<PolicyProblem> sorted, boolean ignored) {
        super(sorted.stream().map(PolicyProblem::toString).collect(Collectors.joining("\n")));
        this.problems = sorted;
    }

    /** In file order, as an operator reads the file. */
    private static List<PolicyProblem> sorted(List<PolicyProblem> problems) {
        return problems.stream()
                .sorted(java.util.Comparator.comparingInt((PolicyProblem p) -> p.location().line())
                        .thenComparingInt(p -> p.location().column()))
                .toList();
    }

    public List<PolicyProblem> problems() {
        return problems;
    }
}
