package io.ftpnat.policy;

/**
 * One thing wrong with a policy: where it is, which field (as a path like {@code snat[0].source}),
 * and what is wrong, in words an operator can act on.
 */
public record PolicyProblem(SourceLocation location, String field, String message) {
    @Override
    public String toString() {
        return location + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
