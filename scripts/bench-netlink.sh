#!/bin/bash
# Benchmark of the Java ctnetlink layer (native/…/netlink) against conntrack-tools, same table,
# same run, equal work (both format and write every line), in a throw-away network namespace (deleted on exit, also on failure). Needs root,
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
echo "== build (ftpnat.jar and the controller's test classes)"
(cd "$ROOT" && mvn -q -B -ntp -DskipTests package)
# ftpnat.jar holds native and the controller (ConntrackLine formats the lines); the bench driver
# is io.ftpnat.conntrack.bench.NetlinkBench in the controller's test classes
CP="$ROOT/controller/target/test-classes:$ROOT/controller/target/ftpnat.jar"
JAVA=(java -XX:+UseParallelGC -Xms512m -Xmx512m -cp "$CP" io.ftpnat.conntrack.bench.NetlinkBench)

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
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

# Equal work on both sides: conntrack -L dumps, decodes, formats and writes each line; ours does
# the same (ConntrackLine, written to /dev/null). Interleaved pairs, the order flipped every pair,
# the same warm-up for both sides; every run printed with the medians.
echo "== ours in a running JVM (the daemon's case) against conntrack -L"
X "${JAVA[@]}" dump "$RUNS"
echo "== ours as a one-shot JVM (start, bind, one dump+format+write, exit) against conntrack -L, $RUNS pairs"
ms X conntrack -L >/dev/null; ms X "${JAVA[@]}" dump 0 >/dev/null   # one warm-up run each
: > "$TMP/pair_ct"; : > "$TMP/pair_ours"
for i in $(seq "$RUNS"); do
  if (( i % 2 )); then
    ms X conntrack -L >> "$TMP/pair_ct"; ms X "${JAVA[@]}" dump 0 >> "$TMP/pair_ours"
  else
    ms X "${JAVA[@]}" dump 0 >> "$TMP/pair_ours"; ms X conntrack -L >> "$TMP/pair_ct"
  fi
done
echo "conntrack -L: median $(median < "$TMP/pair_ct") ms, runs $(paste -sd' ' "$TMP/pair_ct")"
echo "one-shot JVM: median $(median < "$TMP/pair_ours") ms, runs $(paste -sd' ' "$TMP/pair_ours")"

X conntrack -F >/dev/null 2>&1
gen "$EVENTS" "$TMP/events"
echo "== events: burst of $EVENTS new entries, default 8 MiB receive buffer"
X "${JAVA[@]}" events "$TMP/events" "$EVENTS" 8388608
X conntrack -F >/dev/null 2>&1
echo "== events: same burst with a 64 KiB receive buffer (forces ENOBUFS; resync must recover)"
X "${JAVA[@]}" events "$TMP/events" "$EVENTS" 65536
echo "== done (namespace $NS removed on exit)"
