package io.ftpnat.ansible;

import static io.ftpnat.lab.Requirement.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.ProjectHome;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An upgrade as a router lives it: the package of the last release before issue #18 (where
 * /etc/ftpnat/policy.yaml was a conffile), built from git history by scripts/build-previous-deb, is
 * installed into a fresh Debian 12 root; the operator edits the policy (as the daemon's
 * {@code policy apply} and the role also do); then {@code apt-get install} of this build. dpkg runs
 * without a terminal and without --force-conf* options: a conffile prompt would end the upgrade
 * in an error, so a clean exit is the proof that there was none. The edited policy is kept, byte
 * for byte, and is no longer a conffile; a purge removes it.
 */
class DebianUpgradeTest {
    /** The commit whose package is "the previous .deb": main before this change (policy as a conffile). */
    static final String PREVIOUS = "42c191e5307b";

    @Test
    @Timeout(600)
    void anUpgradeKeepsALocallyModifiedPolicyWithoutAPrompt() {
        DebianPackageTest.findPackage();
        DebianPackageTest.assumeIsolationTools();
        AnsibleTools.assumeTool("git", "git");
        AnsibleTools.assumeTool("mvn", "maven");
        Cmd.Result built = Cmd.run(Duration.ofSeconds(300), ProjectHome.get().resolve("scripts/build-previous-deb").toString(), PREVIOUS);
        require(built.ok(), "cannot build the previous package from git history (" + PREVIOUS + "):\n" + built.err());
        Path previous = Path.of(built.out().trim());
        Path w = DebianPackageTest.tempDir("ftpnat-deb-upgrade-");
        try {
            Path root = DebianPackageTest.freshRoot(w);
            Path sh = DebianPackageTest.script(w, "upgrade.sh", UPGRADE);
            Cmd.Result r = Cmd.run(Duration.ofSeconds(500), "unshare", "--mount", "--pid", "--fork", "--propagation", "private",
                    "bash", sh.toString(), previous.toString(), DebianPackageTest.deb.toAbsolutePath().toString(), root.toString());
            String out = r.out() + r.err();
            require(DebianPackageTest.section(out, "update").contains("update-rc=0"), "apt-get update in the fresh root failed (mirror unreachable?)");
            assertThat(DebianPackageTest.section(out, "old")).as(out).contains("install-rc=0").contains("ftpnat 0.1.0\n")
                    .contains("/etc/ftpnat/policy.yaml");
            assertThat(DebianPackageTest.section(out, "upgrade")).as("no prompt: dpkg had no terminal and no --force-conf option\n%s", out)
                    .contains("upgrade-rc=0").contains("Unpacking ftpnat (0.1.0-1) over (0.1.0)")
                    .doesNotContain("Configuration file").doesNotContain("end of file on stdin");
            assertThat(DebianPackageTest.section(out, "after")).as(out)
                    .isEqualTo("ftpnat 0.1.0-1\nthe operator's policy, unchanged\nnot a conffile of 0.1.0-1\n");
            assertThat(DebianPackageTest.section(out, "check")).as(out).contains("is valid: 1 snat").contains("check-rc=0");
            assertThat(DebianPackageTest.section(out, "purge")).as(out).isEqualTo("purge-rc=0\nno policy left\n");
        } finally {
            Cmd.run(Duration.ofSeconds(120), "rm", "-rf", w.toString());
        }
    }

    static final String UPGRADE = """
            # Runs inside `unshare --mount --pid --fork --propagation private`. $1 = the previous .deb,
            # $2 = this build's .deb, $3 = a fresh Debian root.
            set -u
            old=$1; new=$2; r=$3
            mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" && mount -t tmpfs tmpfs "$r/tmp" || exit 92
            cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null
            cp "$old" "$r/tmp/old.deb" && cp "$new" "$r/tmp/new.deb" || exit 93
            ch() { chroot "$r" "$@"; }
            echo "== update"; ch apt-get update -q >/dev/null 2>&1; echo "update-rc=$?"
            echo "== old"
            ch env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/old.deb >"$r/old.log" 2>&1
            echo "install-rc=$?"; ch dpkg-query -W -f '${Package} ${Version}\\n' ftpnat
            ch dpkg-query -W -f '${Conffiles}\\n' ftpnat | awk 'NF {print $1}'
            # the operator's policy: one SNAT rule, on an uplink that does not exist in this root
            printf '# edited by the operator\\nversion: 1\\nsnat:\\n  - name: lan\\n    source: 192.168.1.0/24\\n    out_interface: ppp0\\n    to: masquerade\\n' \\
              > "$r/etc/ftpnat/policy.yaml"
            sum=$(sha256sum < "$r/etc/ftpnat/policy.yaml")
            echo "== upgrade"
            # no terminal, no --force-confold/confnew: a conffile question would fail the upgrade
            ch env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/new.deb </dev/null >"$r/new.log" 2>&1
            echo "upgrade-rc=$?"; grep -E "Unpacking ftpnat|Configuration file|end of file on stdin|^E: " "$r/new.log"
            echo "== after"; ch dpkg-query -W -f '${Package} ${Version}\\n' ftpnat
            [ "$(sha256sum < "$r/etc/ftpnat/policy.yaml")" = "$sum" ] && echo "the operator's policy, unchanged"
            ch dpkg-query -W -f '${Conffiles}\\n' ftpnat | grep -v obsolete | grep -q /etc/ftpnat/policy.yaml || echo "not a conffile of 0.1.0-1"
            echo "== check"; ch ftpnatd check --offline --policy /etc/ftpnat/policy.yaml 2>&1; echo "check-rc=$?"
            echo "== purge"; ch env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ftpnat >/dev/null 2>&1; echo "purge-rc=$?"
            [ -e "$r/etc/ftpnat/policy.yaml" ] || echo "no policy left"
            echo "== done"
            """;
}
