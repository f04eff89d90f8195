#!/bin/bash
# Benchmark of run-time nft map elements: our nf_tables netlink writer (native, NftElements)
# against libnftables text (NftContext.run, what the controller used), adding and deleting one
# proxy_dnat4 element, interleaved pair by pair, in a throw-away network namespace (deleted on
# exit, also on failure). Needs root, nft/libnftables1, iproute2, Java 17, Maven.
# Usage: scripts/bench-nft-elements.sh [PAIRS=2000] [RUNS=5] [WARMUP=1000]  (BUILD=no skips the build)
# Writes nothing outside /tmp; results go to stdout (copy them into docs/benchmarks.md).
set -euo pipefail
PAIRS=${1:-2000}
RUNS=${2:-5}
WARMUP=${3:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS=ftpnat-nl-nftbench-$$
TMP=$(mktemp -d)
cleanup() { ip netns delete "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load: $(cut -d" " -f1-3 /proc/loadavg), $(nft --version)"
if [ "${BUILD:-yes}" != no ]; then
  echo "== build (native test classes) and classpath"
  (cd "$ROOT" && mvn -B -ntp -q -pl native test-compile)
fi
(cd "$ROOT" && mvn -B -ntp -q -pl native dependency:build-classpath -Dmdep.outputFile="$TMP/cp" -Dmdep.includeScope=test >/dev/null)
CP="$ROOT/native/target/test-classes:$ROOT/native/target/classes:$(cat "$TMP/cp")"

ip netns add "$NS"
ip -n "$NS" link set lo up
echo "== $PAIRS pairs x $RUNS runs, warm-up $WARMUP pairs; each add and each delete is one transaction"
ip netns exec "$NS" java -XX:+UseParallelGC -Xms256m -Xmx256m -cp "$CP" \
  io.ftpnat.nativ.netlink.bench.NftElementsBench "$PAIRS" "$RUNS" "$WARMUP"
echo "== done (namespace $NS removed on exit)"
