#!/usr/bin/env bash
# ALG benchmark (docs/benchmarks.md, "Userspace ALG (mode: proxy)"): a large passive download
# through a proxied session vs the kernel helper in the same run, NOOP latency p50/p99 on both
# control paths, sessions per second on both, and ftpnatd's RSS with many concurrent proxied
# sessions (each logged in with a pending passive channel). Run as root.
#   scripts/bench-proxy.sh [--size-mib N] [--runs N] [--noops N] [--sessions N] [--no-build]
# Everything runs in network namespaces that are removed at the end, on failure too.
set -euo pipefail
# Each proxied session holds two descriptors in ftpnatd (client and server sockets), so N sessions
# need 2N + a few hundred: the soft limit is raised to the hard one (raising the hard one needs
# CAP_SYS_RESOURCE). With a hard limit of 20000, at most ~9,900 sessions fit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "bench-proxy: open files limit $(ulimit -n) (hard $(ulimit -Hn))"
exec "$(cd "$(dirname "$0")" && pwd)/lab-java" io.ftpnat.lab.ProxyBench "$@"
