package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads policy YAML into the model, field by field, keeping every node's position so each problem
 * names file, line, column and field. Checks that need more than one rule are in
 * {@link PolicyValidator}.
 */
final class PolicyReader {
    static final Set<String> TOP_KEYS = ordered("version", "control_ports", "repair_privileged_ports", "proxy", "snat", "dnat");
    static final Set<String> PROXY_KEYS = ordered("listen_port", "max_sessions", "max_sessions_per_client", "login_timeout",
            "idle_timeout", "max_line", "data_ports", "data_timeout");
    static final Set<String> SNAT_KEYS = ordered("name", "source", "out_interface", "to", "mode", "control_ports", "strict", "deny_commands",
            "mask_banner", "server_data_mode");
    static final Set<String> DNAT_KEYS = ordered("name", "in_interface", "destination", "port", "to", "mode", "passive_ports", "strict",
            "deny_commands", "mask_banner", "server_data_mode");
    /** FTP verbs (RFC 959 and extensions): letters only, at most 8 (what the ALG's parser accepts). */
    private static final Pattern VERB = Pattern.compile("[A-Za-z]{1,8}");

    private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    // IFNAMSIZ is 16 with the NUL; the kernel refuses '/', ':' and whitespace in names.
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@+-]{1,15}");

    private final String file;
    private final InterfaceCatalog interfaces;
    private final List<PolicyProblem> problems = new ArrayList<>();

    PolicyReader(String file, InterfaceCatalog interfaces) {
        this.file = file;
        this.interfaces = interfaces;
    }

    List<PolicyProblem> problems() {
        return problems;
    }

    Optional<Policy> read(String text) {
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file).setMaxAliasesForCollections(10).build();
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            if (!composer.hasNext()) {
                problems.add(new PolicyProblem(SourceLocation.unknown(file), "", "the policy is empty"));
                return Optional.empty();
            }
            root = composer.next();
            if (composer.hasNext()) {
                Node extra = composer.next();
                problems.add(new PolicyProblem(locate(extra), "", "a policy file holds one YAML document; found a second one"));
            }
        } catch (MarkedYamlEngineException e) {
            SourceLocation at = e.getProblemMark()
                    .map(m -> new SourceLocation(file, m.getLine() + 1, m.getColumn() + 1))
                    .orElse(SourceLocation.unknown(file));
            problems.add(new PolicyProblem(at, "", "not valid YAML: " + e.getProblem()));
            return Optional.empty();
        } catch (YamlEngineException e) {
            problems.add(new PolicyProblem(SourceLocation.unknown(file), "", "not valid YAML: " + e.getMessage()));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            // snakeyaml-engine refuses some malformed input with a plain IllegalArgumentException (a tag
            // with spaces, "! x": found by PolicyReaderPropertiesTest); it is bad YAML all the same
            problems.add(new PolicyProblem(SourceLocation.unknown(file), "", "not valid YAML: " + e.getMessage()));
            return Optional.empty();
        }

        YamlFields top = YamlFields.of(file, "", root, problems);
        top.rejectUnknownKeys(TOP_KEYS);
        Optional<Integer> version = top.integer("version", true, 0, Integer.MAX_VALUE);
        version.filter(v -> v != Policy.CURRENT_VERSION).ifPresent(v -> problems.add(new PolicyProblem(
                top.locationOf("version"), "version", "version " + v + " is not supported; this ftpnatd reads version "
                        + Policy.CURRENT_VERSION)));
        List<Integer> controlPorts = top.integers("control_ports", false, 1, 65535).orElse(List.of(21));
        if (top.has("control_ports") && controlPorts.isEmpty() && problemsAt("control_ports") == 0) {
            problems.add(new PolicyProblem(top.locationOf("control_ports"), "control_ports", "must name at least one port"));
        }

        boolean repairPrivilegedPorts = top.bool("repair_privileged_ports", false).orElse(false);

        ProxySettings proxy = top.node("proxy").map(n -> readProxy(YamlFields.of(file, "proxy", n, problems)))
                .orElse(ProxySettings.defaults());

        List<SnatRule> snat = new ArrayList<>();
        List<Node> snatNodes = top.sequence("snat", false).orElse(List.of());
        for (int i = 0; i < snatNodes.size(); i++) {
            readSnat(YamlFields.of(file, "snat[" + i + "]", snatNodes.get(i), problems), controlPorts).ifPresent(snat::add);
        }
        List<DnatRule> dnat = new ArrayList<>();
        List<Node> dnatNodes = top.sequence("dnat", false).orElse(List.of());
        for (int i = 0; i < dnatNodes.size(); i++) {
            readDnat(YamlFields.of(file, "dnat[" + i + "]", dnatNodes.get(i), problems)).ifPresent(dnat::add);
        }
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Policy(version.orElse(Policy.CURRENT_VERSION), controlPorts, repairPrivilegedPorts, snat, dnat, proxy, file));
    }

    private Optional<SnatRule> readSnat(YamlFields f, List<Integer> defaultPorts) {
        int before = problems.size();
        f.rejectUnknownKeys(SNAT_KEYS);
        Optional<String> name = name(f);
        Optional<IpPrefix> source = f.parsed("source", true, IpPrefix::parse);
        Optional<String> out = interfaceName(f, "out_interface");
        SnatTarget to = f.parsed("to", false, SnatTarget::parse).orElse(new SnatTarget.Masquerade());
        Mode mode = mode(f);
        List<Integer> ports = f.integers("control_ports", false, 1, 65535).orElse(defaultPorts);
        if (f.has("control_ports") && ports.isEmpty() && problems.size() == before) {
            problem(f, "control_ports", "must name at least one port");
        }
        if (source.isPresent() && to instanceof SnatTarget.Address a && a.family() != source.get().family()) {
            problem(f, "to", a + " is " + a.family() + " but source " + source.get() + " is " + source.get().family()
                    + ": NAT between families is not possible in the kernel");
        }
        AlgControls controls = controls(f, mode);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new SnatRule(name.get(), source.get(), out.get(), to, mode, ports, f.location(), controls));
    }

    private Optional<DnatRule> readDnat(YamlFields f) {
        int before = problems.size();
        f.rejectUnknownKeys(DNAT_KEYS);
        Optional<String> name = name(f);
        Optional<String> in = interfaceName(f, "in_interface");
        Optional<IpAddress> destination = f.parsed("destination", true, IpAddresses::parse);
        Optional<Integer> port = f.integer("port", false, 1, 65535);
        Optional<Endpoint> to = f.parsed("to", true, Endpoint::parse);
        Mode mode = mode(f);
        Optional<PortRange> passive = f.parsed("passive_ports", false, PortRange::parse);
        // Only the userspace ALG can join families (its data then goes through the daemon).
        if (destination.isPresent() && to.isPresent() && to.get().family() != IpFamily.of(destination.get()) && mode != Mode.PROXY) {
            problem(f, "to", to.get() + " is " + to.get().family() + " but destination " + IpAddresses.format(destination.get())
                    + " is " + IpFamily.of(destination.get()) + ": NAT between families is not possible in the kernel"
                    + " (mode: proxy can, relaying the data)");
        }
        if (passive.isPresent() && mode == Mode.PROXY) {
            problem(f, "passive_ports", "not used with mode: proxy (the ALG opens each data connection itself, from"
                    + " proxy.data_ports); passive_ports is for mode: kernel rules whose control channel the helper cannot read");
        }
        if (destination.isPresent() && to.isPresent() && to.get().address().equals(destination.get())
                && to.get().port().orElse(port.orElse(21)) == port.orElse(21)) {
            problem(f, "to", to.get() + " is the published address and port itself: an identity DNAT would hand the router's own"
                    + " port to the FTP helper (or the ALG) and publish nothing");
        }
        if (passive.isPresent() && passive.get().contains(port.orElse(21))) {
            problem(f, "passive_ports", "range " + passive.get() + " contains the control port " + port.orElse(21));
        }
        AlgControls controls = controls(f, mode);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new DnatRule(name.get(), in.get(), destination.get(), port.orElse(21), to.get(), mode, passive,
                f.location(), controls));
    }

    /**
     * A proxy rule's controls of its control channel ({@link AlgControls}). Only the ALG reads the
     * control channel, so on a kernel rule they would be promises nobody keeps: refused there.
     */
    private AlgControls controls(YamlFields f, Mode mode) {
        boolean strict = f.bool("strict", false).orElse(false);
        boolean mask = f.bool("mask_banner", false).orElse(false);
        java.util.Set<String> deny = new java.util.TreeSet<>();
        List<Node> items = f.sequence("deny_commands", false).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemPath = f.child("deny_commands") + "[" + i + "]";
            if (!(item instanceof org.snakeyaml.engine.v2.nodes.ScalarNode sn) || !VERB.matcher(sn.getValue().trim()).matches()) {
                String shown = item instanceof org.snakeyaml.engine.v2.nodes.ScalarNode sn2 ? "'" + sn2.getValue() + "'" : YamlFields.kind(item);
                problems.add(new PolicyProblem(locate(item), itemPath, shown + " is not an FTP command: use its verb, 1-8 letters (SITE, DELE)"));
                continue;
            }
            String verb = sn.getValue().trim().toUpperCase(java.util.Locale.ROOT);
            if (!deny.add(verb)) {
                problems.add(new PolicyProblem(locate(item), itemPath, verb + " is listed twice"));
            } else if (verb.equals("QUIT")) {
                problems.add(new PolicyProblem(locate(item), itemPath, "QUIT cannot be denied: a client must always be able to end its session"));
            }
        }
        AlgControls.ServerDataMode dataMode = f.parsed("server_data_mode", false, text -> {
            for (AlgControls.ServerDataMode m : AlgControls.ServerDataMode.values()) {
                if (m.yamlName().equals(text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a data mode; use 'client', 'passive' or 'active'");
        }).orElse(AlgControls.ServerDataMode.CLIENT);
        if (mode != Mode.PROXY) {
            for (String key : List.of("strict", "deny_commands", "mask_banner", "server_data_mode")) {
                if (f.has(key)) {
                    problem(f, key, "only for mode: proxy rules (the kernel helper does not filter the control channel;"
                            + " the ALG does)");
                }
            }
        }
        return new AlgControls(strict, deny, mask, dataMode);
    }

    /** The proxy block: every field optional, each defaulting to {@link ProxySettings#defaults()}. */
    private ProxySettings readProxy(YamlFields f) {
        ProxySettings d = ProxySettings.defaults();
        f.rejectUnknownKeys(PROXY_KEYS);
        int port = f.integer("listen_port", false, 1, 65535).orElse(d.listenPort());
        int max = f.integer("max_sessions", false, 1, 100_000).orElse(d.maxSessions());
        int perClient = f.integer("max_sessions_per_client", false, 1, 100_000).orElse(d.maxSessionsPerClient());
        int login = f.integer("login_timeout", false, 1, 86_400).orElse((int) d.loginTimeout().toSeconds());
        int idle = f.integer("idle_timeout", false, 1, 604_800).orElse((int) d.idleTimeout().toSeconds());
        int line = f.integer("max_line", false, 128, 65_536).orElse(d.maxLineBytes());
        PortRange data = f.parsed("data_ports", false, PortRange::parse).orElse(d.dataPorts());
        int dataTimeout = f.integer("data_timeout", false, 1, 3_600).orElse((int) d.dataTimeout().toSeconds());
        if (data.first() < 1024) {
            problem(f, "data_ports", "data ports must lie above 1023 (a data connection never uses a privileged port here)");
        }
        if (data.contains(port)) {
            problem(f, "data_ports", "range " + data + " contains the proxy's listen_port " + port);
        }
        if (perClient > max) {
            problem(f, "max_sessions_per_client", perClient + " is above max_sessions " + max);
        }
        return new ProxySettings(port, max, perClient, java.time.Duration.ofSeconds(login), java.time.Duration.ofSeconds(idle),
                line, data, java.time.Duration.ofSeconds(dataTimeout));
    }

    private Optional<String> name(YamlFields f) {
        Optional<String> name = f.string("name", true);
        if (name.isPresent() && !RULE_NAME.matcher(name.get()).matches()) {
            problems.add(new PolicyProblem(f.locationOf("name"), f.child("name"), "'" + name.get()
                    + "' is not a rule name: use 1-32 of a-z, 0-9, '-' and '_', starting with a letter or digit"));
            return Optional.empty();
        }
        return name;
    }

    private Optional<String> interfaceName(YamlFields f, String key) {
        Optional<String> name = f.string(key, true);
        if (name.isPresent() && !INTERFACE.matcher(name.get()).matches()) {
            problems.add(new PolicyProblem(f.locationOf(key), f.child(key), "'" + name.get()
                    + "' is not an interface name (at most 15 characters; no spaces, '/' or ':')"));
            return Optional.empty();
        }
        if (name.isPresent() && !interfaces.exists(name.get())) {
            problems.add(new PolicyProblem(f.locationOf(key), f.child(key), "no interface named '" + name.get()
                    + "' exists here (see 'ip link')"));
            return Optional.empty();
        }
        return name;
    }

    private void problem(YamlFields f, String key, String message) {
        problems.add(new PolicyProblem(f.locationOf(key), f.child(key), message));
    }

    private Mode mode(YamlFields f) {
        return f.parsed("mode", false, text -> {
            for (Mode m : Mode.values()) {
                if (m.yamlName().equals(text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a mode; use 'kernel' or 'proxy'");
        }).orElse(Mode.KERNEL);
    }

    private long problemsAt(String field) {
        return problems.stream().filter(p -> p.field().startsWith(field)).count();
    }

    private SourceLocation locate(Node node) {
        return node.getStartMark()
                .map(m -> new SourceLocation(file, m.getLine() + 1, m.getColumn() + 1))
                .orElse(SourceLocation.unknown(file));
    }

    private static Set<String> ordered(String... keys) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(keys)));
    }
}
