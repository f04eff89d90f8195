package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test double ships: ftpnat.jar (what bin/ftpnatd runs) and the jar inside the .deb hold no
 * class named Fake* and nothing of the {@code nltest} package. The kernel fakes are native's test
 * sources, reaching the controller's tests through native's test-jar only. Runs in the tests
 * module because it comes after the controller's package phase, where both are built.
 */
class ShippedJarTest {
    static final Pattern FAKE = Pattern.compile("(^|/)(Fake[^/]*\\.class|nltest/.*)$");

    static List<String> fakes(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.stream().map(e -> e.getName()).filter(n -> FAKE.matcher(n).find()).toList();
        }
    }

    @Test
    void ftpnatJarHoldsNoFake() throws IOException {
        Path jar = ProjectHome.get().resolve("controller/target/ftpnat.jar");
        assertThat(jar).as("built by the controller's package phase").exists();
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getEntry("io/ftpnat/nativ/netlink/conntrack/ConntrackClient.class"))
                    .as("the jar holds native's classes (the check looks in the right place)").isNotNull();
        }
        assertThat(fakes(jar)).isEmpty();
        // jffi's native stubs: Linux ones only (the package is for Debian, every architecture)
        try (JarFile j = new JarFile(jar.toFile())) {
            List<String> stubs = j.stream().map(e -> e.getName()).filter(n -> n.startsWith("jni/") && !n.endsWith("/")).toList();
            assertThat(stubs).contains("jni/x86_64-Linux/libjffi-1.2.so", "jni/aarch64-Linux/libjffi-1.2.so")
                    .allMatch(n -> n.matches("jni/[a-z0-9_]+-Linux/libjffi-1\\.2\\.so"));
        }
        assertThat(FAKE.matcher("io/ftpnat/nativ/netlink/conntrack/FakeConntrackKernel.class").find()).isTrue();
        assertThat(FAKE.matcher("io/ftpnat/nativ/netlink/nltest/FakeTransport$Messages.class").find()).isTrue();
    }

    @Test
    void theDebsJarHoldsNoFake() throws IOException {
        Path target = ProjectHome.get().resolve("controller/target");
        Path deb;
        try (Stream<Path> s = Files.list(target)) {
            deb = s.filter(p -> p.getFileName().toString().matches("ftpnat_.*_all\\.deb")).findFirst().orElse(null);
        }
        assertThat(deb).as("the .deb built by the controller's package phase in %s", target).isNotNull();
        Path dir = Files.createTempDirectory("ftpnat-deb-");
        try {
            Cmd.run("dpkg-deb", "-x", deb.toString(), dir.toString()).check();
            List<Path> jars;
            try (Stream<Path> s = Files.walk(dir)) {
                jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
            }
            assertThat(jars).as("the .deb carries the daemon's jar").isNotEmpty();
            for (Path j : jars) {
                assertThat(fakes(j)).as("%s", dir.relativize(j)).isEmpty();
            }
        } finally {
            Cmd.run("rm", "-rf", dir.toString());
        }
    }
}
