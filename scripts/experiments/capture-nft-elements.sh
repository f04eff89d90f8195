#!/bin/bash
# Regenerates the golden bytes of native's nf_tables element writer (NftElementsGoldenTest):
# runs nft 1.0.6 (libnftables + libnftnl) under strace inside a throw-away network namespace and
# keeps the batch datagram it sends for each element command. `nft --debug=mnl` prints the same
# attributes but only four of the header flags (R/M/A/E), so the exact bytes come from strace.
# Each fixture keeps only the last datagram (the batch; the earlier ones fill nft's cache).
# Needs root, nft, strace, python3. Usage: capture-nft-elements.sh [OUTDIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RES=$ROOT/native/src/test/resources/netlink
OUT=${1:-$RES}
NS=ftpnat-nl-nftcap-$$
TMP=$(mktemp -d)
cleanup() { ip netns delete "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add "$NS"
X() { ip netns exec "$NS" "$@"; }
# The objects of ftpnat's table that take run-time elements (nft-templates' ftpnat-table.nft.mustache).
X nft -f - <<'NFT'
table inet ftpnat {
	set advertised4 { type ipv4_addr . ipv4_addr . inet_service; flags timeout; size 65536; }
	set advertised6 { type ipv6_addr . ipv6_addr . inet_service; flags timeout; size 65536; }
	map proxy_dnat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
	map proxy_dnat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr . inet_service; flags timeout; }
	map proxy_snat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr; flags timeout; }
	map proxy_snat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr; flags timeout; }
}
NFT
# capture NAME NFT-COMMANDS: the commands go through `nft -f`, so several lines are one batch
capture() {
  local name=$1 cmds=$2
  printf '%s\n' "$cmds" > "$TMP/$name.nft"
  X strace -xx -s 0 -e trace=sendto,sendmsg -e write=3 -o "$TMP/$name.st" nft -f "$TMP/$name.nft"
  python3 "$RES/strace2fixture.py" "$TMP/$name.st" "nft -f: $(printf '%s' "$cmds" | tr '\n' ';')" \
    | awk 'NR == 1 { print; next } /^>/ { last = $0 } END { print last }' > "$OUT/$name.txt"
}
D4='10.10.10.2 . 192.168.10.115 . 40001'
D6='fd00:10::2 . fd00:192:168:10::115 . 40001'
capture nft-add-dnat4 "add element inet ftpnat proxy_dnat4 { $D4 timeout 30s : 192.168.10.115 . 40001 }"
capture nft-delete-dnat4 "delete element inet ftpnat proxy_dnat4 { $D4 }"
capture nft-add-dnat6 "add element inet ftpnat proxy_dnat6 { $D6 timeout 30s : fd00:192:168:10::115 . 40001 }"
capture nft-delete-dnat6 "delete element inet ftpnat proxy_dnat6 { $D6 }"
capture nft-add-snat4 "add element inet ftpnat proxy_snat4 { $D4 timeout 30s : 192.168.10.1 }"
capture nft-delete-snat4 "delete element inet ftpnat proxy_snat4 { $D4 }"
capture nft-add-snat6 "add element inet ftpnat proxy_snat6 { $D6 timeout 30s : fd00:192:168:10::1 }"
capture nft-delete-snat6 "delete element inet ftpnat proxy_snat6 { $D6 }"
capture nft-add-advertised4 "add element inet ftpnat advertised4 { 10.10.10.2 . 198.51.100.7 . 50000 timeout 300s }"
capture nft-delete-advertised4 "delete element inet ftpnat advertised4 { 10.10.10.2 . 198.51.100.7 . 50000 }"
capture nft-add-advertised6 "add element inet ftpnat advertised6 { fd00:10::2 . 2001:db8::7 . 50000 timeout 300s }"
capture nft-delete-advertised6 "delete element inet ftpnat advertised6 { fd00:10::2 . 2001:db8::7 . 50000 }"
capture nft-create-dnat4 "create element inet ftpnat proxy_dnat4 { $D4 timeout 1500ms : 192.168.10.115 . 40001 }"
capture nft-batch-two "add element inet ftpnat proxy_dnat4 { 10.10.10.3 . 192.168.10.115 . 40002 timeout 30s : 192.168.10.115 . 40002 }
add element inet ftpnat proxy_snat4 { 10.10.10.3 . 192.168.10.115 . 40002 timeout 30s : 192.168.10.1 }"
echo "fixtures written to $OUT"
