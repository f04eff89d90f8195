#!/bin/bash
# Benchmark of the Java ctnetlink layer (native/…/netlink) against conntrack-tools, same table,
# same run, in a throw-away network namespace (deleted on exit, also on failure). Needs root,
# conntrack, iproute2, Java 17, Maven. Usage: scripts/bench-netlink.sh [ENTRIES=100000] [EVENTS=50000]
# Writes nothing outside /tmp; results go to stdout (copy them into docs/benchmarks.md).
set -euo pipefail
ENTRIES=${1:-100000}
EVENTS=${2:-50000}
RUNS=${RUNS:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS=ftpnat-nl-bench-$$
TMP=$(mktemp -d)
cleanup() { ip netns delete "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load: $(cut -d" " -f1-3 /proc/loadavg)"
echo "== build (native test classes) and classpath"
(cd "$ROOT" && mvn -q -pl native test-compile && \
  mvn -q -pl native dependency:build-classpath -Dmdep.outputFile="$TMP/cp" -Dmdep.includeScope=test >/dev/null)
CP="$ROOT/native/target/test-classes:$ROOT/native/target/classes:$(cat "$TMP/cp")"
JAVA=(java -XX:+UseParallelGC -Xms512m -Xmx512m -cp "$CP" io.ftpnat.nativ.netlink.bench.NetlinkBench)

ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }

gen() { "$ROOT/scripts/conntrack-entries" "$@"; } # gen N FILE (see the script)
gen "$ENTRIES" "$TMP/entries"
echo "== load $ENTRIES entries with conntrack -R"
s=$(date +%s%N); X conntrack -R "$TMP/entries"; e=$(date +%s%N)
echo "conntrack -R: $(( (e - s) / 1000000 )) ms"
echo "table size: $(X conntrack -C)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "== conntrack -L (text to /dev/null), $RUNS runs"
for i in $(seq "$RUNS"); do s=$(date +%s%N); X conntrack -L >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); done > "$TMP/ct_l"
echo "conntrack -L median: $(median < "$TMP/ct_l") ms (runs: $(tr '\n' ' ' < "$TMP/ct_l"))"
echo "== conntrack -L -o xml, $RUNS runs"
for i in $(seq "$RUNS"); do s=$(date +%s%N); X conntrack -L -o xml >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); done > "$TMP/ct_x"
echo "conntrack -L -o xml median: $(median < "$TMP/ct_x") ms"

echo "== ours: dump + decode in a running JVM (the daemon's case), each paired with a conntrack -L run just before it"
X "${JAVA[@]}" dump "$RUNS"
echo "== ours: one-shot JVM (start, open socket, one dump+decode, exit), alternating with conntrack -L, $RUNS pairs"
for i in $(seq "$RUNS"); do
  s=$(date +%s%N); X conntrack -L >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )) >> "$TMP/pair_ct"
  s=$(date +%s%N); X "${JAVA[@]}" dump 0 >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )) >> "$TMP/pair_ours"
done
echo "one-shot JVM median: $(median < "$TMP/pair_ours") ms (runs: $(tr '\n' ' ' < "$TMP/pair_ours")); conntrack -L in the same pairs: median $(median < "$TMP/pair_ct") ms (runs: $(tr '\n' ' ' < "$TMP/pair_ct"))"

X conntrack -F >/dev/null 2>&1
gen "$EVENTS" "$TMP/events"
echo "== events: burst of $EVENTS new entries, default 8 MiB receive buffer"
X "${JAVA[@]}" events "$TMP/events" "$EVENTS" 8388608
X conntrack -F >/dev/null 2>&1
echo "== events: same burst with a 64 KiB receive buffer (forces ENOBUFS; resync must recover)"
X "${JAVA[@]}" events "$TMP/events" "$EVENTS" 65536
echo "== done (namespace $NS removed on exit)"
