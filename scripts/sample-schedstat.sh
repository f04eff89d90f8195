#!/usr/bin/env bash
# Samples, once a second, how long the named threads of one process ran and how long they waited
# on a run queue (/proc/PID/task/TID/schedstat: run ns, wait ns, timeslices), to tell a latency
# tail caused by scheduling from one caused by the process itself (docs/benchmarks.md, issue #17).
#   scripts/sample-schedstat.sh PATTERN THREAD_PREFIX SECONDS
# PATTERN picks the JVM (pgrep -f among processes named java, newest match, waited for up to SECONDS); prints one line per
# second and thread: time, thread, run ms, run-queue wait ms and timeslices in that second. Bounded by SECONDS.
set -euo pipefail
pattern=$1 prefix=$2 seconds=$3
end=$((SECONDS + seconds))
pid=
while [[ -z $pid && $SECONDS -lt $end ]]; do
  # only a java process: this script's own command line contains the pattern too
  for p in $(pgrep -f -- "$pattern" || true); do [[ $(cat "/proc/$p/comm" 2>/dev/null) == java ]] && pid=$p; done
  [[ -n $pid ]] || sleep 0.5
done
[[ -n $pid ]] || { echo "no process matches $pattern" >&2; exit 1; }
echo "pid $pid"
declare -A run wait slices
while [[ $SECONDS -lt $end && -d /proc/$pid ]]; do
  for t in /proc/$pid/task/*; do
    name=
    read -r name < "$t/comm" 2>/dev/null || true # a builtin: no fork per thread and second
    [[ $name == "$prefix"* ]] || continue
    read -r r w s < "$t/schedstat" 2>/dev/null || continue
    k=$name
    if [[ -n ${run[$k]:-} ]]; then
      printf '%s %s run %.2f ms wait %.2f ms slices %d\n' "$(date -u +%T)" "$k" \
        "$(( (r - ${run[$k]}) / 1000 ))e-3" "$(( (w - ${wait[$k]}) / 1000 ))e-3" $((s - ${slices[$k]}))
    fi
    run[$k]=$r wait[$k]=$w slices[$k]=$s
  done
  sleep 1
done
