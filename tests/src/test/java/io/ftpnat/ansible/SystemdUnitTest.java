package io.ftpnat.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static io.ftpnat.lab.Requirement.require;

import io.ftpnat.lab.Cmd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ftpnatd.service under a real systemd, and the role's systemd path. This machine's PID 1 is not
 * systemd, so systemd boots in a container: {@code systemd-nspawn --boot --private-network} on a
 * copy-on-write overlay of this machine's root (upper layer on a tmpfs, all inside a private mount
 * namespace), after {@code apt install ./ftpnat_*.deb} into that overlay. The container has its own
 * PID and network namespaces: the daemon's table lives there and vanishes with it. This machine's
 * other enabled services are masked in the copy, and its {@code policy-rc.d} (which forbids
 * starting services, a container image's convention) is removed from it.
 *
 * <p>Checked there: {@code systemd-analyze verify} and {@code security}; the running unit (only
 * CAP_NET_ADMIN, no_new_privs, a seccomp filter, group ftpnat, the socket's modes); who may query
 * and change; {@code systemctl reload} with a good and a bad policy; {@code policy apply} saving the
 * file under ReadWritePaths; Restart=on-failure after a kill -9; stop leaving the table; purge (prerm
 * removes the table); the postinst enabling and starting the unit and restarting it on upgrade;
 * then the example playbook with {@code ftpnat_service_manager: systemd} on the router without the
 * package: installs it, writes /etc/default/ftpnat (restart) and the policy, the daemon runs it;
 * a second run {@code changed=0} without a restart; check mode reports and changes nothing.
 */
class SystemdUnitTest {

    @Test
    @org.junit.jupiter.api.Timeout(420) // the container's script is bounded at 360 s (below)
    void theUnitUnderSystemdAndTheRolesSystemdPath() {
        DebianPackageTest.findPackage();
        DebianPackageTest.assumeIsolationTools();
        AnsibleTools.assumeTool("systemd-nspawn", "systemd-container");
        AnsibleTools.assumeTool("nsenter", "util-linux");
        AnsibleTools.assumeTool("ansible-playbook", "ansible-core");
        Path w = DebianPackageTest.tempDir("ftpnat-systemd-");
        try {
            Path sh = DebianPackageTest.script(w, "systemd.sh", SCRIPT);
            Cmd.Result r = Cmd.run(Duration.ofSeconds(360), "unshare", "--mount", "--propagation", "private", "bash",
                    sh.toString(), DebianPackageTest.deb.toAbsolutePath().toString(), w.resolve("w").toString(),
                    AnsibleTools.ansibleDir().toString(), AnsibleTools.collectionTarball().toString());
            String out = r.out() + r.err();
            System.out.println("--- the container's transcript:\n" + out);
            assertThat(out).as("the container booted\n%s", out).contains("== booted");
            require(!out.contains("no container"), "systemd-nspawn could not boot a container here:\n" + out);
            assertThat(section(out, "install")).as(out).isEqualTo("install-rc=0\n");
            assertThat(section(out, "booted")).as(out).matches("(running|degraded)\n");
            assertThat(section(out, "verify")).as("systemd-analyze verify ftpnatd.service: no complaint").isEqualTo("verify-rc=0\n");
            assertThat(section(out, "security")).contains("Overall exposure level for ftpnatd.service").contains("OK");
            assertThat(section(out, "active")).isEqualTo("active\nenabled\n");
            assertThat(section(out, "caps")).as("user ftpnat (not root) with only CAP_NET_ADMIN (bit 12), no_new_privs, a seccomp filter")
                    .doesNotContain("Uid:\t0").contains("CapAmb:\t0000000000001000")
                    .contains("CapEff:\t0000000000001000").contains("CapBnd:\t0000000000001000")
                    .contains("NoNewPrivs:\t1").contains("Seccomp:\t2");
            assertThat(section(out, "journal")).contains("API listening on /run/ftpnat/ftpnat.sock (mode 0660, group ftpnat)")
                    .contains("policy applied from /etc/ftpnat/policy.yaml");
            // LimitNICE=-10 (RLIMIT_NICE 30) lets user ftpnat, without CAP_SYS_NICE, run the hold's thread at nice -10. systemd
            // can set no limit above the hard one it was given, and only CAP_SYS_RESOURCE raises that: a sandbox whose hard
            // RLIMIT_NICE is 0 and that lacks CAP_SYS_RESOURCE (this lab's) boots the unit with 0. Then the daemon must say so.
            String nice = section(out, "nice");
            assertThat(nice).as("the unit asks for it").startsWith("30\n");
            if (nice.contains("Max nice priority 30 30")) {
                assertThat(section(out, "journal")).contains("thread control-packets runs at nice -10");
            } else {
                assertThat(nice).as("only a hard limit below 30 outside explains it").doesNotEndWith("\n30\n").doesNotEndWith("\n40\n");
                assertThat(section(out, "journal")).contains("cannot run thread control-packets at nice -10")
                        .contains("LimitNICE=-10 in the unit");
            }
            assertThat(section(out, "socket")).isEqualTo("750 ftpnat ftpnat\n660 ftpnat ftpnat\n");
            assertThat(section(out, "status")).contains("\"file\" : \"/etc/ftpnat/policy.yaml\"").endsWith("rc=0\n");
            assertThat(section(out, "status-member")).as("a member of ftpnat may query").isEqualTo("rc=0\n");
            assertThat(section(out, "apply-member")).as("but not change").contains("forbidden").endsWith("rc=1\n");
            assertThat(section(out, "status-other")).as("others cannot reach the socket").contains("Permission denied").endsWith("rc=3\n");
            assertThat(section(out, "reload")).as("systemctl reload: applied again").isEqualTo("rc=0\n2\n");
            assertThat(section(out, "reload-bad")).as("a bad policy on reload: refused, still running")
                    .startsWith("rc=0\nactive\n").contains("policy rejected").contains("dnat[0].destination").contains("10.0.0.300");
            assertThat(section(out, "apply")).as("policy apply saves the file (ReadWritePaths=/etc/ftpnat)")
                    .contains("\"digest\"").contains("rc=0").contains("control_ports: [21, 2121]");
            assertThat(section(out, "crash")).as("Restart=on-failure").isEqualTo("restarted\nactive\n");
            assertThat(section(out, "notify")).as("Type=notify: start returns with the rules in the kernel")
                    .startsWith("rc=0\ntable in the kernel when start returned\nType=notify\nNotifyAccess=main\nWatchdogUSec=30s\n")
                    .contains("Status: \"serving policy ").containsPattern("state: +ready");
            assertThat(section(out, "watchdog")).as("WatchdogSec: a stopped daemon is restarted")
                    .isEqualTo("active\npinging: not restarted\nrestarted\nactive\nWatchdog timeout\n");
            assertThat(section(out, "start-bad")).as("a bad policy at start: failed, with the problem in systemctl status")
                    .startsWith("rc=1\nfailed\n").contains("Status: \"policy rejected").contains("10.0.0.300").endsWith("rc=0\nactive\n");
            assertThat(section(out, "nftables")).as("start/restart nftables: ftpnatd restores its table; reload: re-applies")
                    .startsWith("table inet filter table inet ftpnat \ntable inet filter table inet ftpnat \n"
                            + "table inet ftpnat removed by pid ");
            assertThat(section(out, "nftables")).containsPattern("removed by pid \\d+ \\(nft\\)\nrestores counted\n"
                    + "table inet filter table inet ftpnat \ntable inet ftpnat \n$");
            assertThat(section(out, "flush")).as("ftpnatd flush: the daemon leaves it flushed until the next apply")
                    .isEqualTo("table inet ftpnat removed by the running ftpnatd (it stays flushed until the next policy apply)\n"
                            + "0\n\"flushed\" : true\n1\n");
            assertThat(section(out, "late-uplink")).as("an interface that does not exist yet: a warning; the rule waits for it")
                    .isEqualTo("rc=0\nactive\nout_interface 'ppp0' does not exist yet\nrules match oifname ppp0\n");
            assertThat(section(out, "stop")).as("stopping leaves the table")
                    .isEqualTo("inactive\ntable inet ftpnat\n");
            assertThat(section(out, "purge")).as("prerm removes the table").isEqualTo("rc=0\ninactive\ntables-listed\n");
            assertThat(section(out, "postinst-start")).as("postinst enables and starts the unit")
                    .contains("Created symlink").endsWith("enabled\nactive\ntable inet ftpnat\n");
            assertThat(section(out, "upgrade-restart")).isEqualTo("restarted on reinstall\ntable inet ftpnat\n");
            assertThat(section(out, "remove")).isEqualTo("rc=0\ninactive\ntables-listed\n");

            assertThat(section(out, "collection")).as(out).contains("ftpnat.router:").contains("was installed successfully");
            assertThat(section(out, "role-check-fresh")).as("check mode on a router without the package\n%s", out)
                    .containsPattern("router +: ok=\\d+ +changed=[1-9]\\d* +unreachable=0 +failed=0")
                    .contains("would install ftpnat.deb").doesNotContain("fatal").doesNotContain("Group ftpnat")
                    .endsWith("not installed\nno group ftpnat\nno policy file\nnogroup\n");
            assertThat(section(out, "role-unknown-user")).as(out)
                    .startsWith("ftpnat_query_users names 'nosuchuser', which is not a user on router\n")
                    .containsPattern("failed=1\n").endsWith("not created\n");
            String role = section(out, "role");
            assertThat(role).as(out).containsPattern("router +: ok=\\d+ +changed=([4-9]|\\d\\d) +unreachable=0 +failed=0")
                    .contains("TASK [ftpnat.router.ftpnat : Install ftpnat from the uploaded package]")
                    .contains("+FTPNAT_OPTS=--log-level=info").contains("RUNNING HANDLER [ftpnat.router.ftpnat : Restart ftpnatd]")
                    .contains("runs policy").contains("(1 snat, 1 dnat rules)");
            assertThat(section(out, "role-state")).as(out)
                    .startsWith("active\nenabled\nFTPNAT_POLICY=/etc/ftpnat/policy.yaml\nFTPNAT_OPTS=--log-level=info\nnogroup ftpnat\n2\n");
            assertThat(section(out, "role-again")).as(out)
                    .containsPattern("router +: ok=\\d+ +changed=0 +unreachable=0 +failed=0").contains("not restarted");
            assertThat(section(out, "role-check")).as(out)
                    .containsPattern("router +: ok=\\d+ +changed=[1-9] +unreachable=0 +failed=0").endsWith("\n2\n");
            assertThat(out).contains("== done");
        } finally {
            Cmd.run(Duration.ofSeconds(60), "rm", "-rf", w.toString());
        }
    }

    static String section(String out, String name) { return DebianPackageTest.section(out, name); }

    static final String SCRIPT = """
            # Runs inside `unshare --mount --propagation private`. $1 = the .deb, $2 = a work directory,
            # $3 = the repository's ansible/ directory, $4 = the collection's tarball. Boots systemd in a container (systemd-nspawn, its own
            # PID and network namespaces) on a copy-on-write overlay of this machine's root with the package
            # installed, and drives ftpnatd.service and the role's systemd path there.
            set -u
            deb=$1; w=$2; ansible=$3; collection=$4
            r=$w/root
            mkdir -p "$w/fs" "$r"
            mount -t tmpfs tmpfs "$w/fs" && mkdir "$w/fs/up" "$w/fs/work" || exit 90
            mount -t overlay overlay -o "lowerdir=/,upperdir=$w/fs/up,workdir=$w/fs/work" "$r" || exit 91
            cp "$deb" "$r/var/tmp/ftpnat.deb" || exit 92
            # The repository may live under /tmp, which the booted container covers with its own tmpfs:
            # the role goes in with the package.
            cp -a "$ansible" "$r/var/tmp/ftpnat-ansible" && ansible=/var/tmp/ftpnat-ansible || exit 93
            cp "$collection" "$r/var/tmp/ftpnat-router.tar.gz" || exit 94
            echo "== install"
            unshare --mount --net --pid --fork sh -c "mount --rbind /dev $r/dev && mount -t proc proc $r/proc && mount -t tmpfs tmpfs $r/run && mount -t tmpfs tmpfs $r/tmp && chroot $r env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /var/tmp/ftpnat.deb" >"$w/apt.log" 2>&1
            echo "install-rc=$?"
            # This machine's /usr/sbin/policy-rc.d forbids starting services (a container image's convention):
            # removed from the copy, so the maintainer scripts start and restart the unit as on a router.
            rm -f "$r/usr/sbin/policy-rc.d"
            # Only what the test needs boots: this machine's other enabled services and timers are masked.
            for u in $(systemctl --root="$r" list-unit-files --state=enabled --no-legend 2>/dev/null | awk '{print $1}'); do
              case "$u" in ftpnatd.service|*.target) ;; *) systemctl --root="$r" mask "$u" >/dev/null 2>&1 ;; esac
            done
            # What systemd as PID 1 would have prepared, in this private mount namespace only.
            mount -t tmpfs -o mode=755 tmpfs "$r/dev"
            mount -t tmpfs -o mode=755 tmpfs /run
            mkdir -p /run/systemd/inaccessible && (cd /run/systemd/inaccessible && touch reg && mkdir dir && mknod chr c 0 0 \\
              && mknod blk b 0 0 && mkfifo fifo && chmod 0000 reg dir chr blk fifo)
            # nspawn (--keep-unit) makes "supervisor" and "payload" cgroups under its own: give it one of
            # ours, removed at the end, so nothing is left in this machine's cgroup trees.
            cg=ftpnat-nspawn-$$
            for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
              [ -w "$h/cgroup.procs" ] && mkdir -p "$h/$cg" && echo $$ > "$h/$cg/cgroup.procs"
            done
            cleanup_cgroups() {
              for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
                [ -d "$h/$cg" ] || continue
                echo $$ > "$h/cgroup.procs"; find "$h/$cg" -depth -type d -exec rmdir {} \\; 2>/dev/null
              done
            }
            timeout 300 systemd-nspawn --quiet --register=no --keep-unit --link-journal=no --private-network -D "$r" --boot \\
              >"$w/boot.log" 2>&1 &
            nsp=$!
            trap 'kill $nsp 2>/dev/null; wait $nsp 2>/dev/null; cleanup_cgroups' EXIT
            desc() { for c in $(ps -o pid= --ppid "$1"); do echo "$c"; desc "$c"; done; }
            leader=
            for i in $(seq 1 150); do
              for p in $(desc $nsp); do [ "$(cat /proc/$p/comm 2>/dev/null)" = systemd ] && leader=$p && break; done
              [ -n "$leader" ] && break; sleep 0.2
            done
            [ -n "$leader" ] || { echo "no container"; cat "$w/boot.log"; exit 93; }
            c() { nsenter -t "$leader" -a "$@"; }
            s=
            for i in $(seq 1 150); do
              s=$(c systemctl is-system-running 2>/dev/null); case "$s" in running|degraded) break;; esac; sleep 0.2
            done
            echo "== booted"; echo "$s"
            echo "== verify"; c systemd-analyze verify ftpnatd.service 2>&1; echo "verify-rc=$?"
            echo "== security"; c systemd-analyze security ftpnatd.service 2>&1 | tail -n 1
            applied() { c journalctl --no-pager -o cat -u ftpnatd 2>/dev/null | grep -c "policy applied"; }
            # waits (bounded) until the daemon has logged one more "policy applied" than when mark ran
            mark() { seen=$(applied); }
            wait_applied() { for i in $(seq 1 150); do [ "$(applied)" -gt "$seen" ] && return 0; sleep 0.2; done; return 1; }
            seen=0; wait_applied
            echo "== active"; c systemctl is-active ftpnatd; c systemctl is-enabled ftpnatd
            pid=$(c systemctl show -p MainPID --value ftpnatd)
            echo "== caps"; c grep -E '^(Uid|Gid|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp)' /proc/$pid/status
            echo "== nice"; c systemctl show -p LimitNICE --value ftpnatd; c grep '^Max nice' /proc/$pid/limits | tr -s ' '; prlimit --nice --noheadings -o HARD
            echo "== journal"; c journalctl --no-pager -o cat -u ftpnatd | grep -v '^Start'
            echo "== socket"; c stat -c '%a %U %G' /run/ftpnat /run/ftpnat/ftpnat.sock
            echo "== status"; c ftpnatctl -o json status; echo "rc=$?"
            c gpasswd -a nobody ftpnat >/dev/null; member="setpriv --reuid=nobody --regid=nogroup --init-groups"
            echo "== status-member"; c $member ftpnatctl -o json status >/dev/null 2>&1; echo "rc=$?"
            echo "== apply-member"; c $member ftpnatctl policy apply /etc/ftpnat/policy.yaml 2>&1; echo "rc=$?"
            echo "== status-other"; c setpriv --reuid=daemon --regid=daemon --clear-groups ftpnatctl status 2>&1; echo "rc=$?"
            echo "== reload"; mark; c systemctl reload ftpnatd; echo "rc=$?"; wait_applied; applied
            printf 'version: 1\\ndnat:\\n  - name: x\\n    in_interface: nope0\\n    destination: 10.0.0.300\\n    to: 10.0.0.2\\n' > "$r/var/tmp/bad.yaml"
            c cp /etc/ftpnat/policy.yaml /var/tmp/good.yaml && c cp /var/tmp/bad.yaml /etc/ftpnat/policy.yaml
            echo "== reload-bad"; c systemctl reload ftpnatd; echo "rc=$?"; sleep 2; c systemctl is-active ftpnatd
            c journalctl --no-pager -o cat -u ftpnatd | grep -A2 "policy rejected" | head -n 3
            c cp /var/tmp/good.yaml /etc/ftpnat/policy.yaml
            echo "== apply"; printf 'version: 1\\ncontrol_ports: [21, 2121]\\n' > "$r/var/tmp/new.yaml"; c ftpnatctl -o json policy apply /var/tmp/new.yaml; echo "rc=$?"
            c cat /etc/ftpnat/policy.yaml
            echo "== crash"; mark; c kill -9 "$pid"; for i in $(seq 1 60); do sleep 0.5; n=$(c systemctl show -p MainPID --value ftpnatd); [ "$n" != 0 ] && [ "$n" != "$pid" ] && break; done
            [ "$n" != "$pid" ] && [ "$n" != 0 ] && echo "restarted"; wait_applied; c systemctl is-active ftpnatd
            # Type=notify: "systemctl start" returns once READY=1 came, i.e. with the table in the kernel
            # (the stop leaves the table: it is deleted first, so only this start can have made it).
            echo "== notify"; c systemctl stop ftpnatd; c nft delete table inet ftpnat; c systemctl start ftpnatd; echo "rc=$?"
            c nft list table inet ftpnat >/dev/null 2>&1 && echo "table in the kernel when start returned"
            c systemctl show -p Type -p NotifyAccess -p WatchdogUSec ftpnatd
            c systemctl status --no-pager ftpnatd | grep -o 'Status: "serving policy [0-9a-f]*'
            c ftpnatctl -o table status | grep '^state:'
            # A wedged daemon (SIGSTOP: no thread runs, no WATCHDOG=1) is killed and restarted; a test
            # drop-in makes the watchdog short.
            echo "== watchdog"; mkdir -p "$r/etc/systemd/system/ftpnatd.service.d"
            printf '[Service]\nWatchdogSec=3s\nTimeoutAbortSec=2s\n' > "$r/etc/systemd/system/ftpnatd.service.d/watchdog.conf"
            c systemctl daemon-reload; c systemctl restart ftpnatd; pid=$(c systemctl show -p MainPID --value ftpnatd)
            sleep 4; c systemctl is-active ftpnatd; [ "$(c systemctl show -p MainPID --value ftpnatd)" = "$pid" ] && echo "pinging: not restarted"
            mark; c kill -STOP "$pid"
            for i in $(seq 1 80); do sleep 0.5; n=$(c systemctl show -p MainPID --value ftpnatd); [ "$n" != 0 ] && [ "$n" != "$pid" ] && break; done
            [ "$n" != "$pid" ] && [ "$n" != 0 ] && echo "restarted"; wait_applied; c systemctl is-active ftpnatd
            c journalctl --no-pager -o cat -u ftpnatd | grep -m1 -o 'Watchdog timeout'
            rm -r "$r/etc/systemd/system/ftpnatd.service.d"; c systemctl daemon-reload
            # A policy that does not validate at start: the start fails, no restart loop
            # (RestartPreventExitStatus), and "systemctl status" shows why.
            echo "== start-bad"; c cp /etc/ftpnat/policy.yaml /var/tmp/good.yaml && c cp /var/tmp/bad.yaml /etc/ftpnat/policy.yaml
            c systemctl restart ftpnatd; echo "rc=$?"; sleep 1; c systemctl is-active ftpnatd
            c systemctl status --no-pager -n 20 ftpnatd | grep -E 'Status:|10.0.0.300' | head -n 3
            c cp /var/tmp/good.yaml /etc/ftpnat/policy.yaml; c systemctl start ftpnatd; echo "rc=$?"; c systemctl is-active ftpnatd
            # The nftables restart trap: nftables.service's configuration starts with "flush ruleset", so
            # a start or restart of it removes ftpnat's table; ftpnatd sees the table go (nf_tables
            # notifications) and applies it again. A reload also propagates (ReloadPropagatedFrom).
            restores() { c journalctl --no-pager -o cat -u ftpnatd 2>/dev/null | grep -c "applied policy digest .* again"; }
            wait_restores() { for i in $(seq 1 100); do [ "$(restores)" -ge "$1" ] && return 0; sleep 0.2; done; return 1; }
            echo "== nftables"; c systemctl start nftables; wait_restores 1; c nft list tables | sort | tr '\\n' ' '; echo
            # a restart is a stop and a start, each flushing: one or two restores, the table back in the end
            table_back() { for i in $(seq 1 100); do c nft list tables | grep -q ftpnat && return 0; sleep 0.2; done; return 1; }
            c systemctl restart nftables; table_back; c nft list tables | sort | tr '\\n' ' '; echo
            c journalctl --no-pager -o cat -u ftpnatd | grep -m1 -o 'table inet ftpnat removed by pid [0-9]* (nft)'
            c ftpnatctl -o json status | grep -o '"table_restores" : [0-9]*' | awk '{ print ($3 >= 2 ? "restores counted" : $0) }'
            mark; c systemctl reload nftables; wait_applied; c nft list tables | sort | tr '\\n' ' '; echo
            # stopping nftables.service flushes the ruleset too: the table comes back by itself
            c systemctl stop nftables; table_back; c nft list tables | tr '\\n' ' '; echo
            # An operator's flush is not fought: ftpnatd flush goes through the daemon, which stays flushed.
            echo "== flush"; c ftpnatd flush; c nft list tables | grep -c ftpnat; c ftpnatctl -o json status | grep -o '"flushed" : [a-z]*'
            mark; c systemctl reload ftpnatd; wait_applied; c nft list tables | grep -c ftpnat
            # Boot with a late uplink: a policy naming ppp0 before it exists starts (a warning), and the
            # rule is there for when ppp0 comes up.
            echo "== late-uplink"; c cp /etc/ftpnat/policy.yaml /var/tmp/good.yaml
            printf 'version: 1\\nsnat:\\n  - name: lan\\n    source: 192.168.1.0/24\\n    out_interface: ppp0\\n    to: masquerade\\n' > "$r/etc/ftpnat/policy.yaml"
            c systemctl restart ftpnatd; echo "rc=$?"; c systemctl is-active ftpnatd
            c journalctl --no-pager -o cat -u ftpnatd | grep -m1 -o "out_interface 'ppp0' does not exist yet"
            c ip link add ppp0 type dummy; c ip link set ppp0 up; c nft list table inet ftpnat | grep -q 'oifname "ppp0"' && echo "rules match oifname ppp0"
            c cp /var/tmp/good.yaml /etc/ftpnat/policy.yaml; mark; c systemctl reload ftpnatd; wait_applied
            echo "== stop"; c systemctl stop ftpnatd; c systemctl is-active ftpnatd; c nft list tables
            echo "== purge"; c env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ftpnat >/dev/null 2>&1; echo "rc=$?"
            c systemctl is-active ftpnatd; c nft list tables; echo "tables-listed"
            # with systemd running, the postinst enables and starts the unit
            echo "== postinst-start"; mark; c env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /var/tmp/ftpnat.deb 2>&1 | grep -E "^(Setting up|Created symlink)"
            wait_applied; c systemctl is-enabled ftpnatd; c systemctl is-active ftpnatd; c nft list tables
            echo "== upgrade-restart"; pid=$(c systemctl show -p MainPID --value ftpnatd)
            c env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /var/tmp/ftpnat.deb >/dev/null 2>&1
            sleep 1; [ "$(c systemctl show -p MainPID --value ftpnatd)" != "$pid" ] && echo "restarted on reinstall"; c nft list tables
            echo "== remove"; c env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ftpnat >/dev/null 2>&1; echo "rc=$?"
            c systemctl is-active ftpnatd; c nft list tables; echo "tables-listed"
            # The role's systemd path, for real, on the router without the package: the example playbook with
            # a local connection in the container; the router's interfaces are veth pairs in its namespace.
            c ip link add r0 type veth peer name r0-peer && c ip link add r1 type veth peer name r1-peer \\
              && c ip addr add 10.10.10.1/24 dev r0 && c ip addr add 192.168.10.114/24 dev r1 && c ip link set r0 up && c ip link set r1 up
            cat > "$r/var/tmp/inventory.yml" <<'INV'
            ftpnat_routers:
              hosts:
                router:
                  ansible_connection: local
                  ansible_become: false
                  ansible_python_interpreter: /usr/bin/python3
                  ftpnat_package_file: /var/tmp/ftpnat.deb
                  ftpnat_daemon_options: ["--log-level=info"]
                  ftpnat_query_users: [nobody]
                  ftpnat_snat:
                    - {name: lan, source: 10.10.10.0/24, out_interface: r1, to: masquerade}
                  ftpnat_dnat:
                    - {name: published, in_interface: r0, destination: 10.10.10.1, port: 21, to: 192.168.10.115}
            INV
            play() { c env ANSIBLE_CONFIG="$ansible/ansible.cfg" ANSIBLE_COLLECTIONS_PATH=/var/tmp/collections ANSIBLE_NOCOLOR=1 \\
              ANSIBLE_RETRY_FILES_ENABLED=0 HOME=/root ansible-playbook -i /var/tmp/inventory.yml "$ansible/playbooks/ftpnat.yml" "$@" 2>&1; }
            # The collection as a user installs it: from its tarball.
            echo "== collection"; c env HOME=/root ansible-galaxy collection install --offline /var/tmp/ftpnat-router.tar.gz \\
              -p /var/tmp/collections 2>&1 | tail -n 1
            # Check mode on a router without the package - not even the user and group an earlier
            # installation left: reports the installation, fails on nothing, changes nothing.
            c userdel ftpnat >/dev/null 2>&1; c groupdel ftpnat >/dev/null 2>&1
            echo "== role-check-fresh"; play --check --diff | grep -E '^fatal|router +:|would install|Group ftpnat'
            c dpkg -s ftpnat >/dev/null 2>&1 || echo "not installed"; c getent group ftpnat || echo "no group ftpnat"
            c test -e /etc/ftpnat/policy.yaml || echo "no policy file"; c id -nG nobody
            # a query user that does not exist fails the run with a clear message; the role creates no user
            echo "== role-unknown-user"; play --check -e '{"ftpnat_query_users": ["nosuchuser"]}' \\
              | grep -oE "ftpnat_query_users names 'nosuchuser', which is not a user on router|router +:.*failed=[0-9]+"
            c getent passwd nosuchuser || echo "not created"
            echo "== role"; play --diff | grep -E '^(TASK|RUNNING|changed|fatal)|router +:|runs policy|^[+-]FTPNAT'
            echo "== role-state"; c systemctl is-active ftpnatd; c systemctl is-enabled ftpnatd; c grep -v '^#' /etc/default/ftpnat
            c id -nG nobody
            c nft list table inet ftpnat | grep -c 'ct helper set'; c journalctl --no-pager -o cat -u ftpnatd | grep -c "policy applied through the API"
            c systemctl show -p ExecMainStartTimestampMonotonic --value ftpnatd > "$w/started"
            echo "== role-again"; play | grep -E '^(changed|fatal)|router +:'
            c systemctl show -p ExecMainStartTimestampMonotonic --value ftpnatd | cmp -s - "$w/started" && echo "not restarted"
            echo "== role-check"; play --check --diff -e '{"ftpnat_dnat": []}' | grep -E '^(changed|fatal)|router +:|^-  name: published'
            c nft list table inet ftpnat | grep -c 'ct helper set'
            echo "== done"
            kill $nsp; wait $nsp
            """;
}
