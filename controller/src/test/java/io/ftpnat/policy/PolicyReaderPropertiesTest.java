package io.ftpnat.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever text arrives as a policy, the answer is a policy or a PolicyException, never a crash. */
class PolicyReaderPropertiesTest {
    private static final String REFERENCE = read("../docs/examples/reference-lab.yaml");
    private final PolicyLoader loader = new PolicyLoader(InterfaceCatalog.anyName());

    @Property(tries = 400, seed = "20261201")
    void arbitraryTextNeverEscapesAsAnotherException(@ForAll("yamlish") String text) {
        assertOnlyPolicyOrPolicyException(text);
    }

    @Property(tries = 400, seed = "20261201")
    void mutatedReferencePoliciesNeverEscapeAsAnotherException(@ForAll("mutations") String text) {
        assertOnlyPolicyOrPolicyException(text);
    }

    private void assertOnlyPolicyOrPolicyException(String text) {
        try {
            assertThat(loader.parse(text, "fuzz.yaml")).isNotNull();
        } catch (PolicyException e) {
            assertThat(e.problems()).isNotEmpty();
        }
    }

    @Provide
    Arbitrary<String> yamlish() {
        return Arbitraries.strings().withChars("abcdefsntv:-[]{}|>&*!%@#'\"\n\t 0123456789./_,").ofMaxLength(200);
    }

    @Provide
    Arbitrary<String> mutations() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, REFERENCE.length() - 1);
        Arbitrary<String> insert = Arbitraries.of(":", "-", "\n", " ", "[", "{", "*a", "&a ", "'", "\"", "999999", "/", "::", "\t", "");
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, 12);
        return net.jqwik.api.Combinators.combine(at, insert, cut).as((i, s, n) ->
                REFERENCE.substring(0, i) + s + REFERENCE.substring(Math.min(REFERENCE.length(), i + n)));
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
