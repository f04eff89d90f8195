package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;
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
 * {@code mvn package}): its metadata and files; {@code apt install ./ftpnat_*.deb} into a
 * copy-on-write overlay of this machine's root, where the unit is verified with
 * {@code systemd-analyze verify} and the installed daemon is run as the unit runs it; and
 * {@code apt install ./ftpnat_*.deb} into a fresh Debian 12 root made by debootstrap, which pulls
 * the declared dependencies from the mirror.
 *
 * <p>Nothing is installed into the machine's own root: the overlay's upper layer is a tmpfs and
 * the fresh root a temporary directory, both inside a private mount namespace
 * ({@code unshare --mount}) that vanishes with the script; the overlay test also has its own
 * network and PID namespaces, so the daemon it starts touches no real network.
 */
class DebianPackageTest {
    static Path deb;

    @BeforeAll
    static void findPackage() {
        AnsibleTools.assumeTool("dpkg-deb", "dpkg");
        Path target = ProjectHome.get().resolve("controller/target");
        try (Stream<Path> s = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            deb = s.filter(p -> p.getFileName().toString().matches("ftpnat_.*_all\\.deb")).findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assumeTrue(deb != null, "controller/target/ftpnat_*_all.deb is not built: run 'mvn -DskipTests install' at the root");
    }

    static String section(String out, String name) {
        int i = out.indexOf("== " + name + "\n");
        assertThat(i).as("section %s in:\n%s", name, out).isNotNegative();
        int from = i + name.length() + 4;
        int to = out.indexOf("\n== ", from);
        return out.substring(from, to < 0 ? out.length() : to + 1);
    }

    static void assumeIsolationTools() {
        assumeTrue(AnsibleTools.isRoot(), "installing into a private mount namespace needs root: skipped");
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
                .contains("Depends: openjdk-17-jre-headless | java17-runtime-headless, libnftables1, conntrack, passwd, procps\n");
        String files = Cmd.run("dpkg-deb", "-c", deb.toString()).check().out();
        for (String f : List.of("./usr/share/ftpnat/ftpnat.jar", "./lib/systemd/system/ftpnatd.service",
                "./etc/ftpnat/policy.yaml", "./etc/default/ftpnat", "./usr/lib/modules-load.d/ftpnat.conf",
                "./usr/share/man/man1/ftpnatctl.1", "./usr/share/man/man8/ftpnatd.8",
                "./usr/share/bash-completion/completions/ftpnatctl", "./usr/share/doc/ftpnat/copyright",
                "./usr/share/doc/ftpnat/policy.md", "./var/cache/ftpnat/")) {
            assertThat(files).as("package contents").containsPattern("root/root .* " + java.util.regex.Pattern.quote(f) + "\n");
        }
        assertThat(files).containsPattern("-rwxr-xr-x root/root .* ./usr/bin/ftpnatd\n")
                .containsPattern("-rwxr-xr-x root/root .* ./usr/bin/ftpnatctl\n");
        Path x = tempDir("ftpnat-deb-control-");
        try {
            Cmd.run("dpkg-deb", "-e", deb.toString(), x.toString()).check();
            assertThat(AnsibleTools.readString(x.resolve("conffiles"))).isEqualTo("/etc/ftpnat/policy.yaml\n/etc/default/ftpnat\n");
            for (String s : List.of("postinst", "prerm", "postrm")) {
                assertThat(Files.isExecutable(x.resolve(s))).as(s).isTrue();
                Cmd.Result syntax = Cmd.run("sh", "-n", x.resolve(s).toString());
                assertThat(syntax.ok()).as("sh -n %s: %s", s, syntax.err()).isTrue();
            }
            Cmd.run("dpkg-deb", "-x", deb.toString(), x.resolve("data").toString()).check();
            String unit = AnsibleTools.readString(x.resolve("data/lib/systemd/system/ftpnatd.service"));
            assertThat(unit).contains("CapabilityBoundingSet=CAP_NET_ADMIN\n").contains("NoNewPrivileges=yes\n")
                    .contains("ProtectSystem=strict\n").contains("ReadWritePaths=/etc/ftpnat\n").contains("ProtectHome=yes\n")
                    .contains("PrivateTmp=yes\n").contains("RuntimeDirectory=ftpnat\n").contains("Group=ftpnat\n")
                    .contains("ExecReload=/bin/kill -HUP $MAINPID\n").contains("Restart=on-failure\n")
                    .doesNotContainPattern("(?m)^MemoryDenyWriteExecute");
            // the default policy is valid and names no flow
            Cmd.Result check = Cmd.run(Duration.ofSeconds(60), ProjectHome.ftpnatd().toString(), "check", "--offline",
                    "--policy", x.resolve("data/etc/ftpnat/policy.yaml").toString());
            assertThat(check.ok()).as(AnsibleTools.text(check)).isTrue();
            assertThat(check.out() + check.err()).contains("0 snat and 0 dnat rules");
        } finally {
            Cmd.run("rm", "-rf", x.toString());
        }
    }

    /**
     * {@code apt install ./ftpnat_*.deb} into an overlay of this machine's root (its dependencies
     * are installed here, so apt resolves them without a download), then: the unit verified by
     * {@code systemd-analyze verify} and scored by {@code systemd-analyze security --offline}; the
     * daemon run as ftpnatd.service runs it (bounding set CAP_NET_ADMIN only, group ftpnat,
     * no_new_privs, the root read-only except /etc/ftpnat, /run and /tmp) and queried through its
     * socket by root, a member of the ftpnat group and a stranger; {@code policy apply} saving the
     * file, SIGHUP; removal (prerm removes the table) and purge.
     */
    @Test
    void installsWithAptIntoAnOverlayOfThisMachineAndRunsAsTheUnitRunsIt() {
        assumeIsolationTools();
        AnsibleTools.assumeTool("systemd-analyze", "systemd");
        AnsibleTools.assumeTool("nft", "nftables");
        Path w = tempDir("ftpnat-deb-overlay-");
        try {
            Path sh = script(w, "overlay.sh", OVERLAY);
            Cmd.Result r = Cmd.run(Duration.ofSeconds(240), "unshare", "--mount", "--net", "--pid", "--fork",
                    "--propagation", "private", "bash", sh.toString(), deb.toAbsolutePath().toString(), w.resolve("w").toString(),
                    AnsibleTools.ansibleDir().toString());
            String out = r.out() + r.err();
            assertThat(section(out, "install")).as(out).contains("install-rc=0").contains("Setting up ftpnat");
            assertThat(section(out, "status")).startsWith("install ok installed");
            assertThat(section(out, "group")).startsWith("ftpnat:x:");
            assertThat(section(out, "files")).contains("/usr/bin/ftpnatd\n").contains("/usr/bin/ftpnatctl\n")
                    .contains("/usr/share/ftpnat/ftpnat.jar\n").contains("/lib/systemd/system/ftpnatd.service\n");
            assertThat(section(out, "conffiles")).contains("/etc/ftpnat/policy.yaml").contains("/etc/default/ftpnat");
            assertThat(section(out, "enabled")).isEqualTo("/lib/systemd/system/ftpnatd.service\n");
            assertThat(section(out, "cds")).as("postinst wrote ftpnatctl's CDS archive").contains("ftpnatctl.jsa");
            assertThat(section(out, "verify")).as("systemd-analyze verify ftpnatd.service: no complaint").isEqualTo("verify-rc=0\n");
            assertThat(section(out, "security")).contains("Overall exposure level for ftpnatd.service").contains("OK");
            assertThat(section(out, "check")).contains("check-rc=0");
            assertThat(section(out, "readonly")).contains("Read-only file system");
            String caps = section(out, "daemon-caps");
            assertThat(caps).as("only CAP_NET_ADMIN (bit 12)").contains("CapEff:\t0000000000001000")
                    .contains("CapBnd:\t0000000000001000").contains("NoNewPrivs:\t1");
            assertThat(section(out, "daemon-log")).contains("API listening on /run/ftpnat/ftpnat.sock (mode 0660, group ftpnat)")
                    .contains("policy applied from /etc/ftpnat/policy.yaml");
            assertThat(section(out, "socket")).isEqualTo("660 root ftpnat\n");
            assertThat(section(out, "status-root")).contains("\"file\" : \"/etc/ftpnat/policy.yaml\"").contains("rc=0");
            assertThat(section(out, "status-member")).as("a member of ftpnat may query").startsWith("rc=0").contains("\"version\"");
            assertThat(section(out, "apply-member")).as("but not change").contains("forbidden").contains("rc=1");
            assertThat(section(out, "status-other")).as("a stranger cannot reach the socket").contains("Permission denied").contains("rc=3");
            assertThat(section(out, "apply-root")).contains("\"changed\" : true").contains("rc=0");
            assertThat(section(out, "saved")).as("policy apply saved the file under ReadWritePaths").contains("control_ports: [21, 2121]");
            assertThat(section(out, "reload")).as("SIGHUP re-applied").isEqualTo("3\n");
            assertThat(section(out, "table")).contains("table inet ftpnat");
            assertThat(out).contains("daemon-exit=0").contains("remove-rc=0");
            assertThat(section(out, "after-remove")).as("prerm removed the table; the conffile stays")
                    .doesNotContain("table inet ftpnat").contains("policy.yaml");
            assertThat(section(out, "purge")).contains("No such file or directory");
            if (Cmd.onPath("ansible-playbook")) {
                String install = section(out, "role-install");
                assertThat(install).as("the role installs the .deb\n%s", out).contains("changed: [localhost]")
                        .containsPattern("localhost +: ok=\\d+ +changed=[1-9]\\d* +unreachable=0 +failed=0");
                assertThat(section(out, "role-installed")).startsWith("install ok installed").contains("ftpnat");
                assertThat(section(out, "role-again")).as("the second run changes nothing\n%s", out)
                        .containsPattern("localhost +: ok=\\d+ +changed=0 +unreachable=0 +failed=0");
            }
            assertThat(out).contains("== done");
        } finally {
            Cmd.run(Duration.ofSeconds(60), "rm", "-rf", w.toString());
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
        Path cache = Path.of(System.getProperty("ftpnat.debootstrap.cache", "/var/tmp/ftpnat-test-cache/debootstrap-bookworm-minbase.tar"));
        Path w = tempDir("ftpnat-deb-fresh-");
        try {
            if (!Files.exists(cache)) {
                Path base = w.resolve("base");
                Cmd.Result boot = Cmd.run(Duration.ofSeconds(400), "debootstrap", "--variant=minbase", "bookworm",
                        base.toString(), mirror());
                assumeTrue(boot.ok(), "debootstrap failed (is the Debian mirror reachable?): " + boot.err().lines()
                        .reduce((a, b) -> b).orElse("") + "\n" + boot.out().lines().reduce((a, b) -> b).orElse(""));
                Cmd.run("mkdir", "-p", cache.getParent().toString()).check();
                Cmd.run(Duration.ofSeconds(120), "tar", "-C", base.toString(), "-cf", cache + ".tmp", ".").check();
                Cmd.run("mv", cache + ".tmp", cache.toString()).check();
                Cmd.run(Duration.ofSeconds(60), "rm", "-rf", base.toString());
            }
            Path root = w.resolve("root");
            Cmd.run("mkdir", "-p", root.toString()).check();
            Cmd.run(Duration.ofSeconds(120), "tar", "-C", root.toString(), "-xf", cache.toString()).check();
            Path sh = script(w, "fresh.sh", FRESH);
            Cmd.Result r = Cmd.run(Duration.ofSeconds(400), "unshare", "--mount", "--pid", "--fork", "--propagation", "private",
                    "bash", sh.toString(), deb.toAbsolutePath().toString(), root.toString());
            String out = r.out() + r.err();
            assertThat(section(out, "before")).as("a fresh root: none of the dependencies")
                    .doesNotContain("install ok installed").contains("no packages found matching openjdk-17-jre-headless");
            assumeTrue(section(out, "update").contains("update-rc=0"), "apt-get update in the fresh root failed (mirror unreachable?)");
            assertThat(section(out, "install")).as(out).contains("install-rc=0").contains("Setting up ftpnat");
            String status = section(out, "status");
            for (String p : List.of("ftpnat", "openjdk-17-jre-headless", "libnftables1", "conntrack", "procps", "passwd")) {
                assertThat(status).as(out).contains(p + " install ok installed");
            }
            assertThat(section(out, "group")).startsWith("ftpnat:x:");
            assertThat(section(out, "enabled")).isEqualTo("/lib/systemd/system/ftpnatd.service\n");
            assertThat(section(out, "cds")).contains("ftpnatctl.jsa");
            assertThat(section(out, "check")).contains("is valid").contains("check-rc=0");
            assertThat(section(out, "render")).as("the shipped example renders (ct helper set per rule)").isEqualTo("3\n");
            assertThat(section(out, "ctl")).as("no daemon runs in the chroot: exit 3, socket named")
                    .contains("/run/ftpnat/ftpnat.sock").contains("ctl-rc=3");
        } finally {
            Cmd.run(Duration.ofSeconds(120), "rm", "-rf", w.toString());
        }
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

    static final String OVERLAY = """
            # Runs inside `unshare --mount --net --propagation private`: every mount and the network
            # namespace vanish with this process. $1 = the .deb, $2 = a work directory.
            set -u
            deb=$1; w=$2
            r=$w/root
            mkdir -p "$w/fs" "$r"
            mount -t tmpfs tmpfs "$w/fs" && mkdir "$w/fs/up" "$w/fs/work" || exit 90
            mount -t overlay overlay -o "lowerdir=/,upperdir=$w/fs/up,workdir=$w/fs/work" "$r" || exit 91
            mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" \\
              && mount -t tmpfs tmpfs "$r/run" && mount -t tmpfs tmpfs "$r/tmp" || exit 92
            ip link set lo up
            cp "$deb" "$r/tmp/" || exit 93
            ch() { chroot "$r" "$@"; }
            echo "== install"
            ch env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" 2>&1
            echo "install-rc=$?"
            echo "== status"; ch dpkg-query -W -f '${Status} ${Version}\\n' ftpnat
            echo "== group"; ch getent group ftpnat
            echo "== files"; ch dpkg -L ftpnat
            echo "== conffiles"; ch dpkg-query -W -f '${Conffiles}\\n' ftpnat
            echo "== enabled"; readlink "$r/etc/systemd/system/multi-user.target.wants/ftpnatd.service"
            echo "== cds"; ls -l "$r/var/cache/ftpnat/"
            echo "== verify"; ch systemd-analyze verify ftpnatd.service 2>&1; echo "verify-rc=$?"
            echo "== security"; ch systemd-analyze security --offline=true ftpnatd.service 2>&1 | tail -n 1
            echo "== check"; ch ftpnatd check --policy /etc/ftpnat/policy.yaml 2>&1; echo "check-rc=$?"
            # The daemon as ftpnatd.service runs it: root with only CAP_NET_ADMIN (bounding set), group
            # ftpnat, no_new_privs, umask 0027, the file system read-only except /etc/ftpnat, /run, /tmp.
            ch gpasswd -a nobody ftpnat >/dev/null   # a user of the ftpnat group (the role's ftpnat_query_users)
            mkdir -p "$r/run/ftpnat" && ch chgrp ftpnat /run/ftpnat && chmod 0750 "$r/run/ftpnat"
            mount --bind "$r/etc/ftpnat" "$r/etc/ftpnat" && mount -o remount,bind,ro "$r" || exit 94
            echo "== readonly"; ch touch /usr/share/ftpnat/x 2>&1; ch touch /etc/x 2>&1
            chroot "$r" setpriv --reuid=0 --regid=ftpnat --clear-groups --bounding-set=-all,+net_admin --inh-caps=-all \\
              --no-new-privs sh -c 'umask 0027; exec /usr/bin/ftpnatd run --policy /etc/ftpnat/policy.yaml' >"$w/daemon.log" 2>&1 &
            daemon=$!
            for i in $(seq 1 150); do grep -q "policy applied" "$w/daemon.log" && break; kill -0 $daemon 2>/dev/null || break; sleep 0.2; done
            echo "== daemon-caps"; grep -E '^(Gid|CapEff|CapBnd|NoNewPrivs)' "$r/proc/$daemon/status"
            echo "== daemon-log"; cat "$w/daemon.log"
            echo "== socket"; ch stat -c '%a %U %G' /run/ftpnat/ftpnat.sock
            echo "== status-root"; ch ftpnatctl -o json status 2>&1; echo "rc=$?"
            member="setpriv --reuid=nobody --regid=nogroup --init-groups"
            echo "== status-member"; ch $member ftpnatctl -o json status >"$w/member.json" 2>&1; echo "rc=$?"; head -c 200 "$w/member.json"; echo
            printf 'version: 1\\ncontrol_ports: [21, 2121]\\n' > "$r/tmp/new.yaml"
            echo "== apply-member"; ch $member ftpnatctl policy apply /tmp/new.yaml 2>&1; echo "rc=$?"
            echo "== status-other"; ch setpriv --reuid=daemon --regid=daemon --clear-groups ftpnatctl status 2>&1; echo "rc=$?"
            echo "== apply-root"; ch ftpnatctl -o json policy apply /tmp/new.yaml 2>&1; echo "rc=$?"
            echo "== saved"; cat "$r/etc/ftpnat/policy.yaml"
            echo "== reload"; kill -HUP $daemon; sleep 2; grep -c "policy applied" "$w/daemon.log"
            echo "== table"; nft list tables
            kill -TERM $daemon 2>/dev/null; wait $daemon; echo "daemon-exit=$?"
            umount "$r/etc/ftpnat"; mount -o remount,bind,rw "$r"
            echo "== remove"; ch env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q ftpnat 2>&1 | tail -n 2; echo "remove-rc=$?"
            echo "== after-remove"; nft list tables; ls "$r/etc/ftpnat" "$r/usr/share/ftpnat" 2>&1
            echo "== purge"; ch env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ftpnat 2>&1 | tail -n 1; ls "$r/etc/ftpnat" 2>&1
            # The role's installation tasks (ansible/roles/ftpnat/tasks/install.yml), for real, in the
            # same root: copy the .deb, apt with its dpkg options, the query users; twice (idempotence).
            ansible=$3
            cat > "$r/tmp/install.yml" <<'PLAY'
            - name: The ftpnat role's installation tasks
              hosts: all
              gather_facts: false
              tasks:
                - name: Install as the role does
                  ansible.builtin.include_role:
                    name: ftpnat
                    tasks_from: install.yml
            PLAY
            cp "$r/tmp/$(basename "$deb")" "$r/tmp/pkg.deb"
            play() {
              ch env ANSIBLE_ROLES_PATH="$ansible/roles" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 HOME=/root \
                ansible-playbook -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 \
                -e ftpnat_package_file=/tmp/pkg.deb -e '{"ftpnat_query_users": ["nobody"]}' /tmp/install.yml 2>&1
            }
            echo "== role-install"; play | grep -E '^(changed|ok|fatal|failed)|localhost +:'
            echo "== role-installed"; ch dpkg-query -W -f '${Status} ${Version}\n' ftpnat; ch id -nG nobody
            echo "== role-again"; play | grep -E '^(changed|fatal|failed)|localhost +:'
            echo "== done"
            """;

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
            echo "== enabled"; readlink "$r/etc/systemd/system/multi-user.target.wants/ftpnatd.service"
            echo "== cds"; ls "$r/var/cache/ftpnat/"
            echo "== check"; ch ftpnatd check --offline --policy /etc/ftpnat/policy.yaml 2>&1; echo "check-rc=$?"
            echo "== render"; ch ftpnatd render --policy /usr/share/doc/ftpnat/examples/reference-lab.yaml 2>&1 | grep -c 'ct helper set'
            echo "== ctl"; ch ftpnatctl status 2>&1; echo "ctl-rc=$?"
            echo "== done"
            """;
}
