#!/usr/bin/env bash
# Runs the fuzz campaigns of docs/security-fuzz.md with Jazzer (coverage-guided, libFuzzer inside
# the JVM): each campaign for a bounded number of inputs, in a bounded heap, one after the other.
#
#   scripts/fuzz.sh [campaign|all] [inputs]      campaign: netlink alg observer api (default all)
#                                                inputs: per campaign (default 10000000)
#
# Pure userspace: the harnesses touch no kernel state, no socket, no file but their own corpus.
# Prints per campaign: inputs executed, exec/s, crashes, hangs, peak heap and RSS; exits non-zero
# on any finding (the input that caused it is kept as target/fuzz/<campaign>/crash-* or timeout-*;
# replay it with the same command and the file's path instead of the corpus directories).
# `mvn test` runs only each harness's seed corpus (src/test/resources/.../<Harness>Inputs).
#
# Environment: FUZZ_XMX (heap, default 256m), FUZZ_TIMEOUT (seconds one input may take before it
# counts as a hang, default 10), FUZZ_NICE (default 10: the machine is shared), FUZZ_MAX_TIME
# (seconds; stops a campaign earlier than its inputs, default none), FUZZ_POSTFIX (default 1: the
# ALG's invariants of issue #11 — canonical lines only, nothing the server would read differently —
# fail the run; 0 only counts their violations, to measure a version before the fixes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
campaign=${1:-all}
inputs=${2:-10000000}
xmx=${FUZZ_XMX:-256m}
timeout=${FUZZ_TIMEOUT:-10}
nice_level=${FUZZ_NICE:-10}
max_time=${FUZZ_MAX_TIME:-0}
postfix=$([[ ${FUZZ_POSTFIX:-1} == 1 ]] && echo true || echo false)

declare -A module=([netlink]=native [alg]=controller [observer]=controller [api]=controller)
declare -A target=(
  [netlink]=io.ftpnat.nativ.netlink.fuzz.NetlinkFuzzTest
  [alg]=io.ftpnat.fuzz.AlgFuzzTest
  [observer]=io.ftpnat.fuzz.ObserverFuzzTest
  [api]=io.ftpnat.fuzz.ApiFuzzTest
)
# Coverage is measured in the code under test only (the harnesses' own checks would only slow it down).
# api: ours only, not Jackson's parser (fuzzed on its own in OSS-Fuzz): instrumenting it made the
# campaign about 4 times slower for paths that all end in "parsed" or "not JSON" for our code.
declare -A includes=(
  [netlink]='io.ftpnat.nativ.netlink.**'
  [alg]='io.ftpnat.alg.ControlDialogue*:io.ftpnat.alg.PendingReplies*:io.ftpnat.alg.SessionChannel*:io.ftpnat.alg.PortAllocator:io.ftpnat.ftp.**'
  [observer]='io.ftpnat.session.**:io.ftpnat.ftp.**:io.ftpnat.nativ.netlink.conntrack.**'
  [api]='io.ftpnat.api.**'
)

case $campaign in
  all) campaigns=(netlink alg observer api) ;;
  netlink|alg|observer|api) campaigns=("$campaign") ;;
  *) echo "usage: $0 [netlink|alg|observer|api|all] [inputs]" >&2; exit 2 ;;
esac

echo "building test classes..."
mvn -B -ntp -q -pl controller -am test-compile >/dev/null

classpath() { # module -> its test classpath (classes, test classes, test-scoped dependencies)
  local m=$1 f="$root/$1/target/fuzz/classpath.txt"
  mkdir -p "$root/$m/target/fuzz"
  # with -am and package: the native test-jar (the fakes) resolves from the reactor, never from a
  # repository; each module writes the file in turn, the last one (this module) stays
  mvn -B -ntp -q -pl "$m" -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$f" >/dev/null
  local cp="$root/$m/target/classes:$root/$m/target/test-classes:$(cat "$f")"
  [[ $m == controller ]] && cp="$root/native/target/classes:$cp"
  echo "$cp"
}

failed=0
for c in "${campaigns[@]}"; do
  m=${module[$c]}
  t=${target[$c]}
  work="$root/$m/target/fuzz/$c"
  seeds="$root/$m/src/test/resources/$(echo "${t%.*}" | tr . /)/${t##*.}Inputs"
  mkdir -p "$work/corpus"
  cp=$(classpath "$m")
  log="$work/jazzer.log"
  echo "== campaign $c: $t, $inputs inputs, -Xmx$xmx, timeout ${timeout}s per input"
  echo "   command: nice -n $nice_level java -Xmx$xmx -cp <$m test classpath> com.code_intelligence.jazzer.Jazzer --target_class=$t --instrumentation_includes='${includes[$c]}' -runs=$inputs -max_total_time=$max_time -timeout=$timeout -rss_limit_mb=2048 $work/corpus $seeds/*"
  start=$(date +%s)
  set +e
  # shellcheck disable=SC2046
  nice -n "$nice_level" /usr/bin/time -f '%M' -o "$work/maxrss-kb" \
    java -Xmx"$xmx" -XX:+UseSerialGC -Dftpnat.fuzz.postfix="$postfix" -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="$t" --instrumentation_includes="${includes[$c]}" --reproducer_path="$work" \
      -runs="$inputs" -max_total_time="$max_time" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/" "$work/corpus" $(find "$seeds" -mindepth 1 -maxdepth 1 -type d | sort) \
      >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
  rss=$(grep -a 'stat::peak_rss_mb' "$log" | awk '{print $2}' | tail -1)
  heap=$(grep -a 'peak heap used' "$log" | tail -1 | sed 's/.*peak heap used: //')
  crashes=$(grep -a -c -E '^== Java Exception|^==[0-9]+== ERROR: libFuzzer: (deadly signal|out-of-memory)|FuzzerSecurityIssue' "$log" || true)
  hangs=$(grep -a -c -E 'ERROR: libFuzzer: timeout' "$log" || true)
  echo "   inputs executed: ${runs:-?} in ${took}s (${rate:-?} exec/s); crashes: $crashes; hangs: $hangs"
  echo "   peak heap used: ${heap:-?}; peak RSS: ${rss:-?} MB (libFuzzer), $(( $(tail -1 "$work/maxrss-kb" 2>/dev/null || echo 0) / 1024 )) MB (time)"
  grep -a -E '^(violations|max |post-fix)' "$log" | sed 's/^/   /' || true
  if [[ $rc -ne 0 || $crashes -ne 0 || $hangs -ne 0 || -z $runs ]]; then
    echo "   FINDING (exit $rc): see $log; inputs kept: $(ls "$work"/crash-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | tr '\n' ' ')"
    failed=1
  fi
done
exit $failed
