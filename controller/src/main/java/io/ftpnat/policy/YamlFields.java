package io.ftpnat.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The fields of one YAML mapping, read with their source positions. Every read that fails records
 * a {@link PolicyProblem} naming the line, the column and the field path, and returns empty, so a
 * reader can go on and report every problem of a file at once.
 */
final class YamlFields {
    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final List<PolicyProblem> problems;

    private YamlFields(String file, String path, Node node, List<PolicyProblem> problems) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.problems = problems;
    }

    /** Reads a mapping; a node of another kind is a problem and yields an empty field set. */
    static YamlFields of(String file, String path, Node node, List<PolicyProblem> problems) {
        YamlFields fields = new YamlFields(file, path, node, problems);
        if (!(node instanceof MappingNode mapping)) {
            fields.problem(node, path, "expected a mapping of keys to values, found " + kind(node));
            return fields;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                fields.problem(tuple.getKeyNode(), path, "keys must be plain words, found " + kind(tuple.getKeyNode()));
                continue;
            }
            if (fields.entries.putIfAbsent(key.getValue(), tuple) != null) {
                fields.problem(key, fields.child(key.getValue()), "duplicate key '" + key.getValue() + "'");
            }
        }
        return fields;
    }

    /** Reports every key not in {@code known}, suggesting the nearest known one. */
    void rejectUnknownKeys(Set<String> known) {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = nearest(e.getKey(), known).map(k -> " (did you mean '" + k + "'?)").orElse("");
                problem(e.getValue().getKeyNode(), child(e.getKey()),
                        "unknown key '" + e.getKey() + "'" + hint + "; known keys: " + String.join(", ", known));
            }
        }
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Optional<String> string(String key, boolean required) {
        NodeTuple t = entries.get(key);
        if (t == null) {
            if (required) {
                problem(node, child(key), "missing (required)");
            }
            return Optional.empty();
        }
        if (!(t.getValueNode() instanceof ScalarNode scalar)) {
            problem(t.getValueNode(), child(key), "expected a single value, found " + kind(t.getValueNode()));
            return Optional.empty();
        }
        if (scalar.getValue().isBlank()) {
            problem(scalar, child(key), "must not be empty");
            return Optional.empty();
        }
        return Optional.of(scalar.getValue());
    }

    /** Reads a scalar and converts it; a conversion's IllegalArgumentException message becomes the problem. */
    <T> Optional<T> parsed(String key, boolean required, Function<String, T> parser) {
        return string(key, required).flatMap(text -> {
            try {
                return Optional.of(parser.apply(text));
            } catch (IllegalArgumentException e) {
                problem(valueNode(key), child(key), e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** true or false (YAML's own spellings of them: true/false, yes/no, on/off). */
    Optional<Boolean> bool(String key, boolean required) {
        return string(key, required).flatMap(text -> {
            switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "on":
                    return Optional.of(true);
                case "false", "no", "off":
                    return Optional.of(false);
                default:
                    problem(valueNode(key), child(key), "'" + text + "' is not true or false");
                    return Optional.empty();
            }
        });
    }

    Optional<Integer> integer(String key, boolean required, int min, int max) {
        return string(key, required).flatMap(text -> {
            try {
                int v = Integer.parseInt(text.trim());
                if (v >= min && v <= max) {
                    return Optional.of(v);
                }
                problem(valueNode(key), child(key), v + " is out of range " + min + "-" + max);
            } catch (NumberFormatException e) {
                problem(valueNode(key), child(key), "'" + text + "' is not a whole number");
            }
            return Optional.empty();
        });
    }

    /** A list of whole numbers in a range, e.g. ports; each bad item is reported with its own line. */
    Optional<List<Integer>> integers(String key, boolean required, int min, int max) {
        return sequence(key, required).map(items -> {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemPath = child(key) + "[" + i + "]";
                if (!(item instanceof ScalarNode s)) {
                    problem(item, itemPath, "expected a number, found " + kind(item));
                    continue;
                }
                try {
                    int v = Integer.parseInt(s.getValue().trim());
                    if (v < min || v > max) {
                        problem(item, itemPath, v + " is out of range " + min + "-" + max);
                    } else if (out.contains(v)) {
                        problem(item, itemPath, v + " is listed twice");
                    } else {
                        out.add(v);
                    }
                } catch (NumberFormatException e) {
                    problem(item, itemPath, "'" + s.getValue() + "' is not a whole number");
                }
            }
            return out;
        });
    }

    Optional<List<Node>> sequence(String key, boolean required) {
        NodeTuple t = entries.get(key);
        if (t == null) {
            if (required) {
                problem(node, child(key), "missing (required)");
            }
            return Optional.empty();
        }
        Node v = t.getValueNode();
        if (v instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("null") || s.getValue().equals("~"))) {
            return Optional.of(List.of()); // "snat:" with nothing under it: no rules
        }
        if (!(v instanceof SequenceNode seq)) {
            problem(v, child(key), "expected a list, found " + kind(v));
            return Optional.empty();
        }
        return Optional.of(seq.getValue());
    }

    /** The value node of a key, for a nested mapping read with {@link #of}. */
    Optional<Node> node(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? Optional.empty() : Optional.of(t.getValueNode());
    }

    SourceLocation location() {
        return locate(node);
    }

    SourceLocation locationOf(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? location() : locate(t.getValueNode());
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    private Node valueNode(String key) {
        return entries.get(key).getValueNode();
    }

    private void problem(Node at, String field, String message) {
        problems.add(new PolicyProblem(locate(at), field, message));
    }

    SourceLocation locate(Node at) {
        return at.getStartMark()
                .map(m -> new SourceLocation(file, m.getLine() + 1, m.getColumn() + 1))
                .orElse(SourceLocation.unknown(file));
    }

    static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode s) {
            return "'" + s.getValue() + "'";
        }
        return "nothing";
    }

    private static Optional<String> nearest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT), k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
