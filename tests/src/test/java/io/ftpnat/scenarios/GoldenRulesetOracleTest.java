package io.ftpnat.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.lab.NamespaceLab;
import io.ftpnat.lab.ProjectHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An oracle for the golden rulesets that does not come from the renderer. The goldens
 * (controller/src/test/resources/*.nft) are regenerated from the renderer, so on their own they
 * only detect change; here the kernel reads each one: in a fresh lab (its router namespace),
 * {@code nft -f golden} applies it as one transaction, and {@code nft list table inet ftpnat}
 * must print back the same table, block by block and rule by rule, after the normalisation
 * {@link NftTableText} documents (comments, whitespace, counters, object order). A golden that
 * nft accepts but stores as something else (a rule rewritten, a set's flags dropped, a priority
 * moved) fails here.
 */
class GoldenRulesetOracleTest {

    static Stream<Path> goldens() throws IOException {
        Path dir = ProjectHome.get().resolve("controller/src/test/resources");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".nft")).sorted().toList();
            assertThat(all).as("golden rulesets in %s", dir).isNotEmpty();
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void theKernelListsBackWhatTheGoldenFileSays(Path golden) throws IOException {
        LabAssumptions.assumeLab();
        String text = Files.readString(golden);
        try (NamespaceLab lab = NamespaceLab.create()) {
            lab.router().run("nft", "-f", golden.toString());
            String listed = lab.router().run("nft", "list", "table", "inet", "ftpnat");
            Map<String, List<String>> want = NftTableText.blocks(text, "inet", "ftpnat");
            Map<String, List<String>> got = NftTableText.blocks(listed, "inet", "ftpnat");
            assertThat(got.keySet()).as("the table's objects, as nft lists them:\n%s", listed).containsExactlyElementsOf(want.keySet());
            for (String block : want.keySet()) {
                assertThat(got.get(block)).as("%s, as nft lists it:\n%s", block, listed).containsExactlyElementsOf(want.get(block));
            }
            assertThat(want).as("the golden is not empty").isNotEmpty();
        }
    }

    /** The comparison itself can fail: a rule changed, a counter's count, an object's order. */
    @Test
    void theNormalisationKeepsWhatMattersAndDropsOnlyWhatItDocuments() {
        String file = """
                # comment
                table inet ftpnat
                delete table inet ftpnat
                table inet ftpnat {
                \tchain b {
                \t\ttype filter hook forward priority filter - 10; policy accept;
                \t\ttcp dport 21 counter accept comment "x { y"
                \t}
                \t# a set
                \tset a {
                \t\ttype ipv4_addr
                \t\tflags timeout
                \t}
                }
                """;
        String listed = """
                table inet ftpnat {
                  set a {
                    type ipv4_addr
                    flags timeout
                  }
                  chain b {
                    type filter hook forward priority filter - 10; policy accept;
                    tcp dport 21 counter packets 7 bytes 420 accept comment "x { y"
                  }
                }
                """;
        assertThat(NftTableText.blocks(listed, "inet", "ftpnat")).isEqualTo(NftTableText.blocks(file, "inet", "ftpnat"))
                .containsOnlyKeys("chain b {", "set a {");
        assertThat(NftTableText.blocks(listed.replace("dport 21", "dport 2121"), "inet", "ftpnat"))
                .isNotEqualTo(NftTableText.blocks(file, "inet", "ftpnat"));
        assertThat(NftTableText.blocks(listed.replace("flags timeout", ""), "inet", "ftpnat"))
                .isNotEqualTo(NftTableText.blocks(file, "inet", "ftpnat"));
        assertThatThrownBy(() -> NftTableText.blocks("table inet other {\n}\n", "inet", "ftpnat")).isInstanceOf(AssertionError.class);
        // two rules swapped within a chain: a difference
        String swapped = file.replace("\t\ttype filter hook forward priority filter - 10; policy accept;\n\t\ttcp dport 21 counter accept comment \"x { y\"",
                "\t\ttcp dport 21 counter accept comment \"x { y\"\n\t\ttype filter hook forward priority filter - 10; policy accept;");
        assertThat(NftTableText.blocks(swapped, "inet", "ftpnat")).isNotEqualTo(NftTableText.blocks(file, "inet", "ftpnat"));
    }
}
