#!/usr/bin/env bash
# docs/benchmarks.md, "Router pairs": the failover matrix with conntrackd + keepalived alone and
# with ftpnatd's HA part, interleaved and in flipped order (alone, ftpnatd, ftpnatd, alone), each
# run = hard and graceful failover + failback, 16 sessions per failure kind. Prints every case and
# a summary per configuration. Takes ~8 minutes. Usage: bench.sh OUTDIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: bench.sh OUTDIR}; mkdir -p "$out"
i=0
for ha in no yes yes no; do
  i=$((i + 1))
  "$HERE/run-matrix.sh" --ha "$ha" --out "$out/run$i-ha-$ha.txt"
done
python3 - "$out" <<'PY'
import glob, re, statistics, sys
rows = {}
for f in sorted(glob.glob(sys.argv[1] + "/run*-ha-*.txt")):
    ha = "ftpnatd + conntrackd" if f.endswith("ha-yes.txt") else "conntrackd alone"
    for line in open(f):
        m = re.match(r"case (\S+) (\S+) (\S+) (\S+) (\S+) (ok|FAIL) bytes=(\d+)/(\d+) sha=(\S+) failover_s=(\S+) error=(\S*) stall_s=(\S+)", line)
        if m:
            rows.setdefault(ha, []).append(m.groups())
print("| configuration | cases completed | active completed | passive completed | bytes lost (in flight, all runs) | takeover s (median, hard / graceful) | in-flight stall s (median of completed, hard / graceful) |")
print("|---|---|---|---|---|---|---|")
for ha in ("conntrackd alone", "ftpnatd + conntrackd"):
    r = rows.get(ha, [])
    ok = [x for x in r if x[5] == "ok"]
    act = [x for x in r if x[3] == "active"]; pas = [x for x in r if x[3] == "passive"]
    lost = sum(int(x[7]) - int(x[6]) for x in r if x[4] == "inflight")
    def med(kind, field, only_ok=False):
        v = [float(x[field]) for x in r if x[0] == kind and (not only_ok or x[5] == "ok") and (field != 11 or x[4] == "inflight")]
        return "%.2f" % statistics.median(v) if v else "-"
    print("| %s | %d/%d | %d/%d | %d/%d | %d | %s / %s | %s / %s |" % (ha, len(ok), len(r),
          sum(1 for x in act if x[5] == "ok"), len(act), sum(1 for x in pas if x[5] == "ok"), len(pas), lost,
          med("hard", 9), med("graceful", 9), med("hard", 11, True), med("graceful", 11, True)))
print()
print("| case (nat mode when) | conntrackd alone: completed / runs | ftpnatd + conntrackd: completed / runs |")
print("|---|---|---|")
keys = sorted({(x[0], x[1], x[2], x[3], x[4]) for v in rows.values() for x in v})
for k in keys:
    cells = []
    for ha in ("conntrackd alone", "ftpnatd + conntrackd"):
        v = [x for x in rows.get(ha, []) if tuple(x[:5]) == k]
        errs = sorted({x[10] for x in v if x[5] != "ok"})
        cells.append("%d/%d%s" % (sum(1 for x in v if x[5] == "ok"), len(v), (" (" + ", ".join(e[:40] for e in errs) + ")") if errs else ""))
    print("| %s %s: %s %s %s | %s | %s |" % (k[0], k[1], k[2], k[3], k[4], cells[0], cells[1]))
PY
