#!/usr/bin/env bash
# ALG benchmark (docs/benchmarks.md, "Userspace ALG (mode: proxy)"): a large passive download
# through a proxied session vs the kernel helper in the same run, NOOP latency p50/p99 on both
# control paths, sessions per second on both, and ftpnatd's RSS with many concurrent proxied
# sessions. Run as root.
#   scripts/bench-proxy.sh [--size-mib N] [--runs N] [--noops N] [--sessions N] [--no-build]
# Everything runs in network namespaces that are removed at the end, on failure too.
set -euo pipefail
exec "$(cd "$(dirname "$0")" && pwd)/lab-java" io.ftpnat.lab.ProxyBench "$@"
