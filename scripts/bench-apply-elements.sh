#!/bin/bash
# What carrying the run-time elements into an apply costs: libnftables (nft -f, the same library
# and the same buffer the daemon hands it) replacing the proxy-lab table with 0 and with N live
# data-channel elements, in a throwaway network namespace. Interleaved, order flipped each round,
# one warm-up each; every run and the median printed.
# Usage: scripts/bench-apply-elements.sh [N elements, default 1000] [rounds, default 7]
set -euo pipefail
n=${1:-1000}; rounds=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
ns=ftpnat-bench-apply-$$
tmp=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add "$ns"
"$here/bin/ftpnatd" render --policy "$here/docs/examples/proxy-lab.yaml" > "$tmp/table.nft"
cp "$tmp/table.nft" "$tmp/with.nft"
for ((i = 0; i < n; i++)); do
  printf 'add element inet ftpnat proxy_dnat4 { 10.10.%d.%d . 10.10.10.1 . %d timeout 30000ms : 192.168.10.115 . %d }\n' \
    $((i / 250)) $((i % 250 + 2)) $((50000 + i)) $((40000 + i)) >> "$tmp/with.nft"
done
run() { local s e; s=$(date +%s%N); ip netns exec "$ns" nft -f "$1"; e=$(date +%s%N); echo $(((e - s) / 1000)); }
run "$tmp/table.nft" > /dev/null; run "$tmp/with.nft" > /dev/null   # warm-up
plain=(); with=()
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then plain+=("$(run "$tmp/table.nft")"); with+=("$(run "$tmp/with.nft")")
  else with+=("$(run "$tmp/with.nft")"); plain+=("$(run "$tmp/table.nft")"); fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "apply of the proxy-lab table, microseconds per nft -f (libnftables), $rounds rounds interleaved"
echo "table alone:              ${plain[*]}  median $(median "${plain[@]}")"
echo "table + $n elements: ${with[*]}  median $(median "${with[@]}")"
