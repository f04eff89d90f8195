package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static io.ftpnat.lab.Requirement.require;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Debian package (controller/target/ftpnat_VERSION_all.deb, built by jdeb in
 * {@code mvn package}): its metadata and files; and {@code apt install ./ftpnat_*.deb} into a fresh
 * Debian 12 root made by debootstrap, which pulls the declared dependencies from the mirror. The
 * unit under a real systemd, the maintainer scripts with systemd running, and the role's systemd
 * path: {@link SystemdUnitTest}.
 *
 * <p>Nothing is installed into the machine's own root: the fresh root is a temporary directory,
 * used inside a private mount namespace ({@code unshare --mount}) that vanishes with the script.
 */
class DebianPackageTest {
    static Path deb;

    @BeforeAll
    static void findPackage() {
        if (deb != null) return;
        AnsibleTools.assumeTool("dpkg-deb", "dpkg");
        Path target = ProjectHome.get().resolve("controller/target");
        try (Stream<Path> s = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            // the newest, should an older build's package still lie in target/
            deb = s.filter(p -> p.getFileName().toString().matches("ftpnat_.*_all\\.deb"))
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        require(deb != null, "controller/target/ftpnat_*_all.deb is not built: run 'mvn -DskipTests install' at the root");
    }

    static String section(String out, String name) {
        int i = out.indexOf("== " + name + "\n");
        assertThat(i).as("section %s in:\n%s", name, out).isNotNegative();
        int from = i + name.length() + 4;
        int to = out.indexOf("\n== ", from);
        return out.substring(from, to < 0 ? out.length() : to + 1);
    }

    static void assumeIsolationTools() {
        require(AnsibleTools.isRoot(), "installing into a private mount namespace needs root");
        for (String t : List.of("unshare", "chroot", "setpriv", "apt-get")) AnsibleTools.assumeTool(t, "util-linux/coreutils/apt");
    }

    static Path script(Path dir, String name, String text) {
        Path p = dir.resolve(name);
        AnsibleTools.write(p, text);
        return p;
    }

    @Test
    void metadataFilesAndMaintainerScripts() {
        String fields = Cmd.run("dpkg-deb", "-f", deb.toString()).check().out();
        assertThat(fields).contains("Package: ftpnat\n").contains("Architecture: all\n").contains("Section: net\n")
                .contains("Depends: openjdk-17-jre-headless | java17-runtime-headless, libnftables1, passwd, procps\n")
                .contains("Recommends: nftables, conntrack\n").doesNotContain("@localhost");
        String files = Cmd.run("dpkg-deb", "-c", deb.toString()).check().out();
        for (String f : List.of("./usr/share/ftpnat/ftpnat.jar", "./lib/systemd/system/ftpnatd.service",
                "./usr/share/ftpnat/policy.yaml", "./etc/ftpnat/", "./etc/default/ftpnat", "./usr/lib/modules-load.d/ftpnat.conf",
                "./usr/share/man/man1/ftpnatctl.1.gz", "./usr/share/man/man8/ftpnatd.8.gz",
                "./usr/share/bash-completion/completions/ftpnatctl", "./usr/share/doc/ftpnat/copyright",
                "./usr/share/doc/ftpnat/changelog.Debian.gz", "./usr/share/doc/ftpnat/README.md",
                "./usr/share/doc/ftpnat/docs/policy.md", "./usr/share/doc/ftpnat/docs/operations.md",
                "./usr/share/doc/ftpnat/docs/design/alg.md", "./usr/share/doc/ftpnat/docs/router.md",
                "./usr/share/doc/ftpnat/docs/examples/prometheus-alerts.yml", "./usr/share/doc/ftpnat/docs/examples/grafana-dashboard.json",
                "./var/cache/ftpnat/")) {
            assertThat(files).as("package contents").containsPattern("root/root .* " + java.util.regex.Pattern.quote(f) + "\n");
        }
        assertThat(files).containsPattern("-rwxr-xr-x root/root .* ./usr/bin/ftpnatd\n")
                .containsPattern("-rwxr-xr-x root/root .* ./usr/bin/ftpnatctl\n");
        Path x = tempDir("ftpnat-deb-control-");
        try {
            Cmd.run("dpkg-deb", "-e", deb.toString(), x.toString()).check();
            // the policy is not a conffile (the daemon and the role rewrite it): the postinst writes it once
            assertThat(AnsibleTools.readString(x.resolve("conffiles"))).isEqualTo("/etc/default/ftpnat\n");
            assertThat(files).doesNotContain("./etc/ftpnat/policy.yaml");
            // a JRE update (files under /usr/lib/jvm) triggers the postinst, which rebuilds the CDS archive
            assertThat(AnsibleTools.readString(x.resolve("triggers"))).contains("interest-noawait /usr/lib/jvm\n");
            for (String s : List.of("postinst", "prerm", "postrm")) {
                assertThat(Files.isExecutable(x.resolve(s))).as(s).isTrue();
                Cmd.Result syntax = Cmd.run("sh", "-n", x.resolve(s).toString());
                assertThat(syntax.ok()).as("sh -n %s: %s", s, syntax.err()).isTrue();
            }
            Cmd.run("dpkg-deb", "-x", deb.toString(), x.resolve("data").toString()).check();
            // every relative link of the shipped Markdown resolves inside /usr/share/doc/ftpnat
            assertThat(brokenDocLinks(x.resolve("data/usr/share/doc/ftpnat"))).as("broken links under /usr/share/doc/ftpnat").isEmpty();
            String unit = AnsibleTools.readString(x.resolve("data/lib/systemd/system/ftpnatd.service"));
            assertThat(unit).contains("CapabilityBoundingSet=CAP_NET_ADMIN\n").contains("NoNewPrivileges=yes\n")
                    .contains("ProtectSystem=strict\n").contains("ReadWritePaths=/etc/ftpnat\n").contains("ProtectHome=yes\n")
                    .contains("PrivateTmp=yes\n").contains("RuntimeDirectory=ftpnat\n").contains("Group=ftpnat\n")
                    .contains("User=ftpnat\n").contains("AmbientCapabilities=CAP_NET_ADMIN\n").doesNotContain("User=root")
                    .contains("ExecReload=/bin/kill -HUP $MAINPID\n").contains("Restart=on-failure\n")
                    .contains("Type=notify\n").contains("NotifyAccess=main\n").contains("WatchdogSec=30s\n")
                    .contains("RestartPreventExitStatus=1 2\n")
                    .doesNotContainPattern("(?m)^MemoryDenyWriteExecute");
            // the default policy is valid and names no flow
            Cmd.Result check = Cmd.run(Duration.ofSeconds(60), ProjectHome.ftpnatd().toString(), "check", "--offline",
                    "--policy", x.resolve("data/usr/share/ftpnat/policy.yaml").toString());
            assertThat(check.ok()).as(AnsibleTools.text(check)).isTrue();
            assertThat(check.out() + check.err()).contains("0 snat and 0 dnat rules");
        } finally {
            Cmd.run("rm", "-rf", x.toString());
        }
    }

    /**
     * {@code apt install ./ftpnat_*.deb} into a fresh Debian 12 root (debootstrap --variant=minbase,
     * cached as a tarball in /var/tmp/ftpnat-test-cache after the first run): apt pulls the declared
     * dependencies (a headless JRE 17, libnftables1, conntrack) from the mirror, and the installed
     * commands run. Skipped without debootstrap, or with -Dftpnat.debootstrap=false.
     */
    @Test
    void installsWithAptIntoAFreshDebianRoot() {
        assumeIsolationTools();
        assumeTrue(!"false".equals(System.getProperty("ftpnat.debootstrap")), "-Dftpnat.debootstrap=false: skipped");
        AnsibleTools.assumeTool("debootstrap", "debootstrap");
        Path w = tempDir("ftpnat-deb-fresh-");
        try {
            Path root = freshRoot(w);
            Path sh = script(w, "fresh.sh", FRESH);
            Cmd.Result r = Cmd.run(Duration.ofSeconds(400), "unshare", "--mount", "--pid", "--fork", "--propagation", "private",
                    "bash", sh.toString(), deb.toAbsolutePath().toString(), root.toString());
            String out = r.out() + r.err();
            assertThat(section(out, "before")).as("a fresh root: none of the dependencies")
                    .doesNotContain("install ok installed").contains("no packages found matching openjdk-17-jre-headless");
            require(section(out, "update").contains("update-rc=0"), "apt-get update in the fresh root failed (mirror unreachable?)");
            assertThat(section(out, "install")).as(out).contains("install-rc=0").contains("Setting up ftpnat");
            String status = section(out, "status");
            for (String p : List.of("ftpnat", "openjdk-17-jre-headless", "libnftables1", "procps", "passwd")) {
                assertThat(status).as(out).contains(p + " install ok installed");
            }
            assertThat(section(out, "group")).startsWith("ftpnat:x:");
            assertThat(section(out, "user")).as("the daemon's own system user owns the policy directory")
                    .isEqualTo("ftpnat:/nonexistent:/usr/sbin/nologin\nftpnat root 755\n");
            assertThat(section(out, "enabled")).isEqualTo("/lib/systemd/system/ftpnatd.service\n");
            assertThat(section(out, "policy")).as("the policy: written by the postinst, not a conffile")
                    .isEqualTo("/etc/default/ftpnat\nroot 644\nthe shipped default\n");
            assertThat(section(out, "cds")).contains("ftpnatctl.jsa");
            assertThat(section(out, "check")).contains("is valid").contains("check-rc=0");
            assertThat(section(out, "render")).as("the shipped example renders (ct helper set per rule)").isEqualTo("3\n");
            assertThat(section(out, "ctl")).as("no daemon runs in the chroot: exit 3, socket named")
                    .contains("/run/ftpnat/ftpnat.sock").contains("ctl-rc=3");
            assertThat(section(out, "jre-update")).as("the trigger: a JRE reinstalled, the archive written again")
                    .contains("Processing triggers for ftpnat").endsWith("ftpnatctl.jsa\n");
            assertThat(section(out, "cds-usable")).as("the postinst's CDS archive fits this JRE and jar (-Xshare:on)")
                    .contains("ftpnatctl ").endsWith("rc=0\n");
        } finally {
            Cmd.run(Duration.ofSeconds(120), "rm", "-rf", w.toString());
        }
    }

    /**
     * A fresh Debian 12 root in {@code w/root}: debootstrap --variant=minbase, cached as a tarball in
     * /var/tmp/ftpnat-test-cache after the first run.
     */
    static Path freshRoot(Path w) {
        assumeTrue(!"false".equals(System.getProperty("ftpnat.debootstrap")), "-Dftpnat.debootstrap=false: skipped");
        AnsibleTools.assumeTool("debootstrap", "debootstrap");
        Path cache = Path.of(System.getProperty("ftpnat.debootstrap.cache", "/var/tmp/ftpnat-test-cache/debootstrap-bookworm-minbase.tar"));
        if (!Files.exists(cache)) {
            Path base = w.resolve("base");
            Cmd.Result boot = Cmd.run(Duration.ofSeconds(400), "debootstrap", "--variant=minbase", "bookworm",
                    base.toString(), mirror());
            require(boot.ok(), "debootstrap failed (is the Debian mirror reachable?): " + boot.err().lines()
                    .reduce((a, b) -> b).orElse("") + "\n" + boot.out().lines().reduce((a, b) -> b).orElse(""));
            Cmd.run("mkdir", "-p", cache.getParent().toString()).check();
            // two test JVMs may both build it: each writes its own file, the rename is atomic
            String tmp = cache + ".tmp." + ProcessHandle.current().pid();
            Cmd.run(Duration.ofSeconds(120), "tar", "-C", base.toString(), "-cf", tmp, ".").check();
            Cmd.run("mv", tmp, cache.toString()).check();
            Cmd.run(Duration.ofSeconds(60), "rm", "-rf", base.toString());
        }
        Path root = w.resolve("root");
        Cmd.run("mkdir", "-p", root.toString()).check();
        Cmd.run(Duration.ofSeconds(120), "tar", "-C", root.toString(), "-xf", cache.toString()).check();
        return root;
    }

    /** Relative Markdown links ({@code ](path)}) under {@code doc} whose target is not there. */
    static List<String> brokenDocLinks(Path doc) {
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\]\\(([^)#:\\s]+)(#[^)]*)?\\)");
        List<String> broken = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.walk(doc)) {
            for (Path md : s.filter(p -> p.toString().endsWith(".md")).toList()) {
                java.util.regex.Matcher m = link.matcher(AnsibleTools.readString(md));
                while (m.find()) {
                    if (!Files.exists(md.getParent().resolve(m.group(1)))) broken.add(doc.relativize(md) + " -> " + m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return broken;
    }

    /** The first Debian mirror of this machine's apt sources (deb.debian.org by default). */
    static String mirror() {
        Path sources = Path.of("/etc/apt/sources.list.d/debian.sources");
        if (Files.exists(sources)) {
            for (String line : AnsibleTools.readString(sources).lines().toList()) {
                if (line.startsWith("URIs:") && line.contains("/debian") && !line.contains("security")) {
                    return line.substring(5).trim().split("\\s+")[0];
                }
            }
        }
        return "http://deb.debian.org/debian";
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(Path.of("/var/tmp"), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String FRESH = """
            # Runs inside `unshare --mount --pid --fork --propagation private` (the network is the machine's:
            # apt downloads the dependencies from the Debian mirror). $1 = the .deb, $2 = a fresh Debian root.
            set -u
            deb=$1; r=$2
            mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" && mount -t tmpfs tmpfs "$r/tmp" || exit 92
            cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null
            cp "$deb" "$r/tmp/" || exit 93
            ch() { chroot "$r" "$@"; }
            echo "== before"; ch dpkg-query -W -f '${Package} ${Status}\\n' openjdk-17-jre-headless libnftables1 conntrack 2>&1
            echo "== update"; ch apt-get update -q >/dev/null 2>&1; echo "update-rc=$?"
            echo "== install"
            ch env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$r/install.log" 2>&1
            echo "install-rc=$?"
            grep -E '^(Setting up ftpnat|E: )' "$r/install.log"
            sed -n '/^The following NEW packages/,/^[0-9]* upgraded/p' "$r/install.log"
            echo "== status"; ch dpkg-query -W -f '${Package} ${Status} ${Version}\\n' ftpnat openjdk-17-jre-headless libnftables1 conntrack procps passwd
            echo "== group"; ch getent group ftpnat
            echo "== user"; ch getent passwd ftpnat | cut -d: -f1,6,7; ch stat -c '%U %G %a' /etc/ftpnat
            echo "== enabled"; readlink "$r/etc/systemd/system/multi-user.target.wants/ftpnatd.service"
            echo "== policy"; ch dpkg-query -W -f '${Conffiles}\\n' ftpnat | awk 'NF {print $1}'; ch stat -c '%U %a' /etc/ftpnat/policy.yaml
            ch cmp /usr/share/ftpnat/policy.yaml /etc/ftpnat/policy.yaml && echo "the shipped default"
            echo "== cds"; ls "$r/var/cache/ftpnat/"
            echo "== check"; ch ftpnatd check --offline --policy /etc/ftpnat/policy.yaml 2>&1; echo "check-rc=$?"
            echo "== render"; ch ftpnatd render --policy /usr/share/doc/ftpnat/docs/examples/reference-lab.yaml 2>&1 | grep -c 'ct helper set'
            echo "== ctl"; ch ftpnatctl status 2>&1; echo "ctl-rc=$?"
            echo "== jre-update"; rm -f "$r/var/cache/ftpnat/ftpnatctl.jsa"
            ch env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall openjdk-17-jre-headless 2>&1 | grep -E "^Processing triggers for ftpnat"
            ls "$r/var/cache/ftpnat/"
            echo "== cds-usable"; ch java -XX:SharedArchiveFile=/var/cache/ftpnat/ftpnatctl.jsa -Xshare:on -Xlog:cds=off \\
              -cp /usr/share/ftpnat/ftpnat.jar io.ftpnat.cli.Ftpnatctl --version 2>&1; echo "rc=$?"
            echo "== done"
            """;
}
