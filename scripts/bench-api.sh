#!/bin/bash
# Benchmark of the query path: ftpnatctl -> daemon socket -> ctnetlink dump -> back, end to end
# (CLI start included), against conntrack-tools on the same table in the same run. In a throw-away
# network namespace (deleted on exit, also on failure). Needs root; run scripts/install-deps and
# 'mvn -DskipTests install' first. Usage: scripts/bench-api.sh [ENTRIES=100000] [CLIENTS=50]
set -euo pipefail
ENTRIES=${1:-100000}
CLIENTS=${2:-50}
RUNS=${RUNS:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS=ftpnat-api-bench-$$
TMP=$(mktemp -d)
SOCK=$TMP/ftpnat.sock
DAEMON=
cleanup() {
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }
[ -f "$ROOT/controller/target/ftpnat.jar" ] || { echo "build first: mvn -DskipTests install" >&2; exit 2; }

ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
CTL=("$ROOT/bin/ftpnatctl" --socket "$SOCK")

"$ROOT/scripts/conntrack-entries" "$ENTRIES" "$TMP/entries"
X conntrack -R "$TMP/entries"
echo "table: $(X conntrack -C) entries"

cat > "$TMP/policy.yaml" <<'YAML'
version: 1
snat:
  - name: bench
    source: 10.10.10.0/24
    out_interface: lo
YAML
ip netns exec "$NS" "$ROOT/bin/ftpnatd" run --policy "$TMP/policy.yaml" --socket "$SOCK" > "$TMP/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && grep -q "policy applied" "$TMP/daemon.log" && break; sleep 0.1; done
grep -q "policy applied" "$TMP/daemon.log" || { cat "$TMP/daemon.log"; exit 1; }
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$DAEMON/status" 2>/dev/null || echo "?"; }
# The daemon's JVM warms up on its first dumps; an operator's router daemon is long-running.
for _ in 1 2 3; do "${CTL[@]}" -o conntrack conntrack list >/dev/null 2>&1; done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # timeit FILE cmd...: RUNS wall times in ms
  local out=$1; shift
  for _ in $(seq "$RUNS"); do s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); done > "$out"
}

timeit "$TMP/ct_l" X conntrack -L
timeit "$TMP/ctl_l" "${CTL[@]}" -o conntrack conntrack list
timeit "$TMP/ctl_j" "${CTL[@]}" -o json conntrack list
timeit "$TMP/ct_c" X conntrack -C
timeit "$TMP/ctl_s" "${CTL[@]}" status
timeit "$TMP/ctl_v" "$ROOT/bin/ftpnatctl" --version
a=$(median < "$TMP/ct_l"); b=$(median < "$TMP/ctl_l"); j=$(median < "$TMP/ctl_j")
c=$(median < "$TMP/ct_c"); s=$(median < "$TMP/ctl_s"); v=$(median < "$TMP/ctl_v")
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }
echo
echo "| measurement ($ENTRIES entries, median of $RUNS) | wall time | ratio |"
echo "|---|---|---|"
echo "| conntrack -L (reference) | $a ms | 1.00 |"
echo "| ftpnatctl -o conntrack conntrack list | $b ms | $(ratio "$b" "$a") |"
echo "| ftpnatctl -o json conntrack list | $j ms | $(ratio "$j" "$a") |"
echo "| conntrack -C (reference) | $c ms | 1.00 |"
echo "| ftpnatctl status | $s ms | $(ratio "$s" "$c") |"
echo "| ftpnatctl --version (JVM start alone) | $v ms | |"
echo
echo "daemon RSS after the lists: $(rss)"
# 50 clients at once, each listing the whole table
s=$(date +%s%N)
pids=()
for i in $(seq "$CLIENTS"); do "${CTL[@]}" -o conntrack conntrack list > "$TMP/c$i.out" 2>/dev/null & pids+=($!); done
peak=0
while kill -0 "${pids[@]}" 2>/dev/null; do
  r=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON/status"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1
done
fail=0; for p in "${pids[@]}"; do wait "$p" || fail=$((fail + 1)); done
e=$(date +%s%N)
ok=0; for i in $(seq "$CLIENTS"); do [ "$(wc -l < "$TMP/c$i.out")" -ge "$ENTRIES" ] && ok=$((ok + 1)); done
echo "$CLIENTS concurrent full lists: $ok complete, $fail failed, $(( (e - s) / 1000000 )) ms in all; daemon peak RSS $((peak / 1024)) MiB, after: $(rss)"
