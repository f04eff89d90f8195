#!/usr/bin/env bash
# ALG benchmark (docs/benchmarks.md, "Userspace ALG (mode: proxy)"): a large passive download
# through a proxied session vs the kernel helper in the same run, NOOP latency p50/p99 on both
# control paths, sessions per second on both, and ftpnatd's RSS with many concurrent proxied
# sessions. Run as root.
#   scripts/bench-proxy.sh [--size-mib N] [--runs N] [--noops N] [--sessions N] [--no-build]
# Everything runs in network namespaces that are removed at the end, on failure too.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"
build=yes
args=()
for a in "$@"; do
  if [[ $a == --no-build ]]; then build=no; else args+=("$a"); fi
done
if [[ $build == yes ]]; then
  "$home/scripts/install-deps"
  mvn -q -B -DskipTests install
fi
cp="$home/tests/target/classes:$(cat "$home/tests/target/classpath.txt")"
exec java -cp "$cp" -Dftpnat.home="$home" io.ftpnat.lab.ProxyBench "${args[@]}"
