#!/usr/bin/env bash
# FTP data-plane benchmark (docs/benchmarks.md, "FTP data plane"): a 1 GiB FTP download through
# the reference lab's router by four paths in one run — kernel helper + NAT via ftpnatd (passive
# DNAT and active SNAT), a userspace relay (socat in the router), plain routing (no NAT, no
# firewall) — plus iperf3 over plain routing; medians and ratios. Run as root.
#   scripts/bench-ftp.sh [--size-mib N] [--runs N] [--no-build]
# Everything runs in network namespaces that are removed at the end, on failure too.
set -euo pipefail
exec "$(cd "$(dirname "$0")" && pwd)/lab-java" io.ftpnat.lab.Bench "$@"
