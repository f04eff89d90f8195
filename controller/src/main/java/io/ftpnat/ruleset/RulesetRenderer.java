package io.ftpnat.ruleset;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import io.ftpnat.Version;
import io.ftpnat.policy.DnatRule;
import io.ftpnat.policy.IpFamily;
import io.ftpnat.policy.Mode;
import io.ftpnat.policy.Policy;
import io.ftpnat.policy.SnatRule;
import io.ftpnat.policy.SnatTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a validated {@link Policy} into the daemon's nftables table, from the Mustache template
 * in the nft-templates module. The template holds the structure and the statements; this class
 * only turns the policy's values into nftables words.
 */
public final class RulesetRenderer {
    public static final String DEFAULT_TABLE = "ftpnat";
    static final String TEMPLATE = "/io/ftpnat/nft/ftpnat-table.nft.mustache";
    static final String HELPER = "ftpnat-ftp";
    /**
     * The NFLOG group that carries copies of control-channel packets to the daemon's observer
     * (one socket holds a group: ftpnatd binds it on start).
     */
    public static final int OBSERVE_GROUP = 2121;
    /**
     * The nfnetlink_queue that holds a reply (227/228) or a SYN until its repair is in (the
     * daemon binds it; with bypass, nobody bound means the packets pass).
     */
    public static final int HOLD_QUEUE = 2121;
    /** Bytes copied per packet: headers (at most 120) and a control segment's lines. */
    public static final int OBSERVE_SNAPLEN = 1024;

    private final Template template;
    private final String table;

    public RulesetRenderer() {
        this(DEFAULT_TABLE);
    }

    public RulesetRenderer(String table) {
        this.table = NftWords.table(table);
        try (InputStream in = RulesetRenderer.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("template " + TEMPLATE + " is missing from the class path (nft-templates module)");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                template = Mustache.compiler().escapeHTML(false).strictSections(false).compile(reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Ruleset render(Policy policy) {
        // Kernel-mode rules get the helper and the NAT; proxy-mode rules only the divert to the
        // ALG (their control connections end in the router, so no helper reads them).
        Map<String, Object> model = new java.util.HashMap<>(Map.of(
                "version", NftWords.words(Version.current()),
                "table", table,
                "helper", HELPER,
                "observeGroup", Integer.toString(OBSERVE_GROUP),
                "snaplen", Integer.toString(OBSERVE_SNAPLEN),
                "payloadRules", PAYLOAD_RULES,
                "snat", policy.snat().stream().filter(r -> r.mode() == Mode.KERNEL).map(RulesetRenderer::snat).toList(),
                "dnat", policy.dnat().stream().filter(r -> r.mode() == Mode.KERNEL).map(RulesetRenderer::dnat).toList()));
        model.put("objects", TableObjects.forTemplate());
        model.put("holdQueue", Integer.toString(HOLD_QUEUE));
        model.put("snatProxy", policy.snat().stream().filter(r -> r.mode() == Mode.PROXY).map(RulesetRenderer::snat).toList());
        model.put("dnatProxy", policy.dnat().stream().filter(r -> r.mode() == Mode.PROXY).map(RulesetRenderer::dnat).toList());
        model.put("proxy", policy.hasProxyRules() ? List.of(Map.of("listenPort", Integer.toString(policy.proxy().listenPort()))) : List.of());
        String text = template.execute(model);
        OwnTableOnly.check(text, table);
        return new Ruleset(table, text);
    }

    /** One rule per TCP data offset (5-15 words) and family: "more bytes than the headers". */
    private static final List<Map<String, String>> PAYLOAD_RULES = payloadRules();

    private static List<Map<String, String>> payloadRules() {
        List<Map<String, String>> rules = new java.util.ArrayList<>();
        for (int doff = 5; doff <= 15; doff++) {
            // ip length counts the 20-byte IPv4 header; ip6 length only what follows the IPv6 header
            rules.add(Map.of("doff", Integer.toString(doff), "lengthField", "ip length", "headerBytes", Integer.toString(20 + 4 * doff)));
        }
        for (int doff = 5; doff <= 15; doff++) {
            rules.add(Map.of("doff", Integer.toString(doff), "lengthField", "ip6 length", "headerBytes", Integer.toString(4 * doff)));
        }
        return List.copyOf(rules);
    }

    private static Map<String, Object> snat(SnatRule r) {
        IpFamily f = r.family();
        String nat = r.to() instanceof SnatTarget.Address a ? "snat " + f.nft() + " to " + a : "masquerade";
        // Every value below comes from a parsed, typed field; NftWords checks its text once more.
        return Map.of(
                "name", NftWords.ruleName(r.name()),
                "family", f.nft(),
                "source", NftWords.words(r.source().toString()),
                "outInterface", NftWords.interfaceName(r.outInterface()),
                "controlPorts", NftWords.words(portSet(r.controlPorts())),
                "natStatement", NftWords.words(nat),
                "observe", r.mode() == io.ftpnat.policy.Mode.KERNEL);
    }

    private static Map<String, Object> dnat(DnatRule r) {
        IpFamily f = r.family();
        String serverAddress = NftWords.words(r.to().addressText());
        return Map.of(
                "name", NftWords.ruleName(r.name()),
                "family", f.nft(),
                "inInterface", NftWords.interfaceName(r.inInterface()),
                "destination", NftWords.words(r.destinationText()),
                "port", Integer.toString(r.port()),
                "serverEndpoint", NftWords.words(r.to().toNft(r.port())),
                "serverAddress", serverAddress,
                "serverPort", Integer.toString(r.serverPort()),
                "observe", r.mode() == Mode.KERNEL,
                "passivePorts", r.passivePorts().map(p -> (Object) NftWords.words(p.toNft())).orElse(List.of()));
    }

    private static String portSet(List<Integer> ports) {
        if (ports.size() == 1) {
            return ports.get(0).toString();
        }
        return ports.stream().map(String::valueOf).collect(Collectors.joining(", ", "{ ", " }"));
    }
}
