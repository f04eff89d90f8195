package io.ftpnat.ansible;

import static io.ftpnat.lab.Requirement.require;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Running ansible-core's commands (from Debian: ansible-core, ansible-lint, yamllint) on the
 * repository's ansible/ tree. Without a tool the tests are skipped with a message naming it
 * on a laptop, and fail under CI=true or as root ({@link io.ftpnat.lab.Requirement}).
 */
final class AnsibleTools {
    private AnsibleTools() {}

    static final Duration PLAYBOOK_TIMEOUT = Duration.ofSeconds(120);

    static Path ansibleDir() { return ProjectHome.get().resolve("ansible"); }

    static Path playbook() { return ansibleDir().resolve("playbooks/ftpnat.yml"); }

    static Path ftpnatctl() { return ProjectHome.get().resolve("bin/ftpnatctl"); }

    static void assumeTool(String tool, String debianPackage) {
        require(Cmd.onPath(tool), tool + " is not installed (Debian package " + debianPackage + "; scripts/install-deps)");
    }

    static boolean isRoot() { return io.ftpnat.lab.Requirement.isRoot(); }

    private static Path collections;
    private static Path collectionTarball;

    /**
     * The collection ftpnat.router as a user gets it: {@code ansible-galaxy collection build ansible/}
     * and {@code ansible-galaxy collection install} of that tarball into a directory of this JVM
     * (once per test run). Returns the directory for ANSIBLE_COLLECTIONS_PATH.
     */
    static synchronized Path installedCollections() {
        if (collections != null) return collections;
        assumeTool("ansible-galaxy", "ansible-core");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ftpnat-collection-" + ProcessHandle.current().pid());
        Cmd.run("rm", "-rf", dir.toString()).check();
        Cmd.Result build = Cmd.run(PLAYBOOK_TIMEOUT, "ansible-galaxy", "collection", "build", ansibleDir().toString(),
                "--output-path", dir.resolve("build").toString());
        if (!build.ok()) throw new AssertionError("ansible-galaxy collection build failed:\n" + text(build));
        collectionTarball = dir.resolve("build/ftpnat-router-" + collectionVersion() + ".tar.gz");
        Cmd.Result install = Cmd.run(PLAYBOOK_TIMEOUT, "ansible-galaxy", "collection", "install", "--offline",
                collectionTarball.toString(), "-p", dir.resolve("collections").toString());
        if (!install.ok()) throw new AssertionError("ansible-galaxy collection install failed:\n" + text(install));
        collections = dir.resolve("collections");
        return collections;
    }

    /** The built tarball (after {@link #installedCollections()}). */
    static synchronized Path collectionTarball() {
        installedCollections();
        return collectionTarball;
    }

    static String collectionVersion() {
        return readString(ansibleDir().resolve("galaxy.yml")).lines().filter(l -> l.startsWith("version:"))
                .map(l -> l.substring("version:".length()).trim()).findFirst().orElseThrow();
    }

    /**
     * The environment every ansible command runs with: the repository's ansible.cfg (the example
     * inventory), the collection installed from its tarball, no colour, temp dirs of the test.
     */
    static List<String> env(Path tmp) {
        return List.of("env",
                "ANSIBLE_COLLECTIONS_PATH=" + installedCollections(),
                "ANSIBLE_CONFIG=" + ansibleDir().resolve("ansible.cfg"),
                "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
                "ANSIBLE_LOCAL_TEMP=" + tmp.resolve("local"),
                "ANSIBLE_REMOTE_TEMP=" + tmp.resolve("remote"),
                "ANSIBLE_RETRY_FILES_ENABLED=0",
                "PYTHONDONTWRITEBYTECODE=1");
    }

    /** argv prefixed with the environment, run inside the namespace (so nft and the daemon's checks see the router). */
    static Cmd.Result inNamespace(String ns, Path tmp, String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(env(tmp));
        all.addAll(Arrays.asList(argv));
        return Cmd.run(PLAYBOOK_TIMEOUT, all.toArray(String[]::new));
    }

    /** The PLAY RECAP line of a host. */
    record Recap(int ok, int changed, int unreachable, int failed) {
        static Recap of(String host, Cmd.Result r) {
            Matcher m = Pattern.compile(Pattern.quote(host)
                    + "\\s*:\\s*ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)").matcher(r.out());
            if (!m.find()) throw new AssertionError("no PLAY RECAP for " + host + " in:\n" + text(r));
            return new Recap(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        }
    }

    static String text(Cmd.Result r) {
        return "exit " + r.exit() + (r.timedOut() ? " (timed out)" : "") + "\n--- stdout\n" + r.out() + "\n--- stderr\n" + r.err();
    }

    static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
