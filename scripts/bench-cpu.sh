#!/bin/bash
# The daemon's CPU cost (docs/benchmarks.md, "Daemon CPU", issue #14), in the reference lab
# (network namespaces created and removed by io.ftpnat.lab.CpuBench, also on failure):
#  1. CONNECTIONS unrelated TCP connections through the router per run, ftpnatd and `conntrack -E`
#     listening in the same router in the same run: CPU of each, the ratio per run, the median;
#  2. SESSIONS passive FTP sessions through the kernel helper per round: daemon CPU per 1,000.
# Needs root. Usage: [BUILD=no] scripts/bench-cpu.sh [RUNS=5] [CONNECTIONS=20000] [SESSIONS=300] [ROUNDS=4]
set -euo pipefail
RUNS=${1:-5}
CONNECTIONS=${2:-20000}
SESSIONS=${3:-300}
ROUNDS=${4:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }
if [ "${BUILD:-yes}" = yes ]; then
  # package only (never install: ~/.m2 may be shared); the tests module's classpath file comes with it
  (cd "$ROOT" && mvn -q -B -ntp -DskipTests package)
fi
exec java -cp "$ROOT/tests/target/classes:$(cat "$ROOT/tests/target/classpath.txt")" -Dftpnat.home="$ROOT" \
  io.ftpnat.lab.CpuBench --runs "$RUNS" --connections "$CONNECTIONS" --sessions "$SESSIONS" --rounds "$ROUNDS"
