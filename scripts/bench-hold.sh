#!/usr/bin/env bash
# Repair-race benchmark (docs/benchmarks.md, "Repairs that never lose the race"): in the reference
# lab, one daemon, the same run, blocks with the hold of 227/228 replies on and off (interleaved,
# order flipped each round, a warm-up block of each): curl through DNAT to a server with a wrong
# pasv_address, a scripted client timing PASV -> 227, a client through SNAT that trusts the 227;
# and the share of control-connection packets queued to userspace. Run as root.
#   scripts/bench-hold.sh [--rounds N] [--per-block N] [--keep-log FILE] [--no-build]
# Everything runs in network namespaces that are removed at the end, on failure too.
set -euo pipefail
exec "$(cd "$(dirname "$0")" && pwd)/lab-java" io.ftpnat.lab.HoldBench "$@"
