package io.ftpnat.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.policy.PolicyLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The kernel boundary's last check on nftables text: an attacker who gets any text into a ruleset
 * tries to turn it into an include, a command on the whole ruleset, or a change to another table.
 */
class OwnTableOnlyTest {
    private final PolicyLoader loader = new PolicyLoader(name -> true);

    @Test
    void theRenderedRulesetsPass() throws Exception {
        RulesetRenderer renderer = new RulesetRenderer();
        for (String example : new String[] {"reference-lab", "proxy-lab"}) {
            String text = renderer.render(loader.load(Path.of("../docs/examples/" + example + ".yaml"))).text();
            assertThatCode(() -> OwnTableOnly.check(text, "ftpnat")).doesNotThrowAnyException();
        }
    }

    @Test
    void theClientsLabelNeverReachesTheRuleset() throws Exception {
        String yaml = java.nio.file.Files.readString(Path.of("../docs/examples/reference-lab.yaml"));
        String label = "x\ninclude \"/etc/shadow\"\n# ";
        String text = new RulesetRenderer().render(loader.parse(yaml, label)).text();
        assertThat(text).doesNotContain("shadow").doesNotContain("include");
    }

    @Test
    void anIncludeAnywhereIsRefused() {
        for (String evil : new String[] {
                "table inet ftpnat\ninclude \"/etc/shadow\"\n",
                "table inet ftpnat {\n\tinclude \"/etc/shadow\"\n}\n",
                "table inet ftpnat {\n\tchain c {\n\t\tcomment \"x\"; include \"/root/secret\"\n\t}\n}\n",
                "table inet ftpnat {\n\tdefine evil = 1\n}\n",
                "table inet ftpnat {\n\tchain c {\n\t\tip saddr $evil accept\n\t}\n}\n"}) {
            assertThatThrownBy(() -> OwnTableOnly.check(evil, "ftpnat")).as(evil).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("shadow").hasMessageNotContaining("secret");
        }
    }

    @Test
    void otherTablesAndWholeRulesetCommandsAreRefused() {
        for (String evil : new String[] {
                "flush ruleset\n",
                "table inet ftpnat\ndelete table inet ftpnat\nflush ruleset\n",
                "table inet ftpnat {\n}\ntable inet filter {\n}\n",
                "delete table inet filter\n",
                "table inet ftpnat {\n}\n}\nflush ruleset\n{\n",
                "add element inet filter allow { 1.2.3.4 }\n",
                "add element inet ftpnat proxy_dnat4 { 1.2.3.4 . 5.6.7.8 . 1 : 9.9.9.9 . 2 } ; list ruleset\n",
                "list ruleset\n"}) {
            assertThatThrownBy(() -> OwnTableOnly.check(evil, "ftpnat")).as(evil).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void wordsInQuotesOrCommentsAreText() {
        String ok = "table inet ftpnat {\n\tchain c { # include \"/etc/shadow\"\n\t\tcounter comment \"snat include: define $x\"\n\t}\n}\n";
        assertThatCode(() -> OwnTableOnly.check(ok, "ftpnat")).doesNotThrowAnyException();
    }

    @Test
    void valuesOfTheWrongShapeNeverBecomeText() {
        assertThatThrownBy(() -> NftWords.interfaceName("eth0\"; flush ruleset; \"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("flush");
        assertThatThrownBy(() -> NftWords.words("10.0.0.0/8\ninclude \"/etc/shadow\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftWords.words("@set")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftWords.table("ftpnat; flush ruleset")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RulesetRenderer("Bad Table")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NftWords.words("{ 21, 2121 }")).isEqualTo("{ 21, 2121 }");
        assertThat(NftWords.words("snat ip6 to fd00:192::114")).isEqualTo("snat ip6 to fd00:192::114");
    }

    @Test
    void runTimeElementsOfTypedValuesPassAndNothingElseRidesOnThem() {
        String ok = "table inet ftpnat\ndelete table inet ftpnat\ntable inet ftpnat {\n}\n"
                + "add element inet ftpnat proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 29000ms : 192.168.10.115 . 40000 }\n"
                + "add element inet ftpnat advertised6 { fd00:10::2 . 2001:db8::9 . 40000 timeout 1ms }\n";
        assertThatCode(() -> OwnTableOnly.check(ok, "ftpnat")).doesNotThrowAnyException();
        for (String evil : new String[] {
                "add element inet other proxy_dnat4 { 10.0.0.1 . 10.0.0.2 . 1 : 10.0.0.3 . 2 }\n",
                "add element inet ftpnat proxy_dnat4 { 10.0.0.1 . 10.0.0.2 . 1 : 10.0.0.3 . 2 }; flush ruleset\n",
                "add element inet ftpnat proxy_dnat4 { @x }\n",
                "add rule inet ftpnat c accept\n"}) {
            assertThatThrownBy(() -> OwnTableOnly.check(evil, "ftpnat")).as(evil).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
