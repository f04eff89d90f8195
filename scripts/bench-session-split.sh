#!/bin/bash
# The session model split (issue #13 item 5) against the code before it, same machine, same run:
# scripts/SessionModelSplitBench.java (one file, run by the java source launcher against each
# build) with FakeConntrackKernel: observe µs/segment, repair µs each (100 foreign 227s), first
# and steady reconcile ms with N sessions. One warm-up run per build, then ROUNDS rounds, the
# order flipped every round (base,new / new,base); every run and the medians shown.
# Usage: scripts/bench-session-split.sh BASE_TREE [N=10000] [ROUNDS=4]
#   BASE_TREE: a built checkout of the reference (mvn -DskipTests package), e.g. from
#   git archive 42c191e | tar -x -C /tmp/base && (cd /tmp/base && mvn -q -DskipTests package)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:?a built reference tree}
N=${2:-10000}
ROUNDS=${3:-4}
run() { # tree
  java -XX:+UseSerialGC -Xms16m -Xmx256m -cp "$1/controller/target/ftpnat.jar:$1/native/target/ftpnat-native-0.1.0-tests.jar" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$ROOT/scripts/SessionModelSplitBench.java" "$N" 2>/dev/null | grep '^observe_us'
}
echo "== session model split vs $BASE: N=$N, kernel $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warm-up base: $(run "$BASE")"
echo "warm-up new:  $(run "$ROOT")"
: > /tmp/split-bench.$$
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for which in $order; do
    tree=$ROOT; [ "$which" = base ] && tree=$BASE
    line=$(run "$tree")
    echo "round $r $which: $line"
    echo "$which $line" >> /tmp/split-bench.$$
  done
done
python3 - /tmp/split-bench.$$ <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
keys = ["observe_us_per_segment", "repair_us_each", "first_reconcile_ms", "steady_reconcile_ms"]
med = {}
for which in ("base", "new"):
    for k in keys:
        vals = [float(r[r.index(k) + 1]) for r in rows if r[0] == which]
        med[which, k] = statistics.median(vals)
for k in keys:
    print(f"median {k}: base {med['base', k]:.2f}  new {med['new', k]:.2f}  new/base {med['new', k] / med['base', k]:.2f}")
PY
rm -f /tmp/split-bench.$$
