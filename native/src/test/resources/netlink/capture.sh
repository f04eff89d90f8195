#!/bin/bash
# Regenerates the golden-byte fixtures in this directory: runs conntrack-tools under strace inside
# a throw-away network namespace and keeps the bytes it exchanged with the kernel.
# Needs root, conntrack, nft, strace, python3. Usage: capture.sh [OUTDIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
NS=ftpnat-nl-capture-$$
TMP=$(mktemp -d)
cleanup() { ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns delete "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 192.0.2.1/32 dev lo
ip -n "$NS" addr add 192.0.2.2/32 dev lo
X() { ip netns exec "$NS" "$@"; }
# capture NAME COMMENT -- command...
capture() {
  local name=$1 comment=$2; shift 3
  X strace -xx -s 0 -e trace=sendto,sendmsg,recvmsg,recvfrom -e read=3,4 -e write=3,4 -o "$TMP/$name.st" "$@" >/dev/null 2>&1 || true
  python3 "$HERE/strace2fixture.py" "$TMP/$name.st" "$comment" > "$OUT/$name.txt"
}
X nft -f - <<'NFT'
table inet lab {
  ct helper ftp { type "ftp" protocol tcp; l3proto inet; }
  chain out { type filter hook output priority 0; tcp dport 21 ct helper set "ftp"; }
}
NFT
cat > "$TMP/entries" <<'ENTRIES'
-I -s 10.1.0.1 -d 10.2.0.1 -p tcp --sport 40000 --dport 21 --state ESTABLISHED -t 300 -u SEEN_REPLY,ASSURED -m 7
-I -s 10.1.0.2 -d 10.2.0.1 -p udp --sport 5000 --dport 53 -t 30 -m 0x10007
-I -s 10.1.0.3 -d 10.2.0.9 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30
-I -s 10.1.0.4 -d 10.2.0.1 -p tcp --sport 40001 --dport 80 --state SYN_SENT -t 120 --zone 5
-I -s 10.1.0.5 -d 198.51.100.1 -p tcp --sport 40002 --dport 21 -r 198.51.100.1 -q 192.0.2.7 --reply-port-src 21 --reply-port-dst 40002 --state ESTABLISHED -t 200 -u SEEN_REPLY
-I -s fd00::1 -d fd00::2 -p tcp --sport 1234 --dport 80 --state SYN_SENT -t 120 --zone 3
-I -s fd00::1 -d fd00:0:0:1::2 -p udp --sport 1235 --dport 53 -t 60 -m 7
-I -s fd00::1 -d fd00::3 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 9 -t 30
ENTRIES
# events: subscribe first, then make changes
X timeout 6 strace -xx -s 0 -e trace=recvmsg,recvfrom,sendto,sendmsg -e read=3,4 -e write=3,4 -o "$TMP/events.st" conntrack -E -e ALL -o id >/dev/null 2>&1 &
EV1=$!
X timeout 6 strace -xx -s 0 -e trace=recvmsg,recvfrom,sendto,sendmsg -e read=3,4 -e write=3,4 -o "$TMP/exp-events.st" conntrack -E expect >/dev/null 2>&1 &
EV2=$!
sleep 0.5
X conntrack -R "$TMP/entries"
X conntrack -U -s 10.1.0.1 -d 10.2.0.1 -p tcp --sport 40000 --dport 21 -m 8 >/dev/null 2>&1
X conntrack -D -s 10.1.0.2 -p udp >/dev/null 2>&1
X conntrack -I -s 10.1.0.2 -d 10.2.0.1 -p udp --sport 5000 --dport 53 -t 30 -m 0x10007 >/dev/null 2>&1
# an FTP control connection with the kernel helper: master with helper=ftp, and an expectation
X python3 "$HERE/ftp_pair.py" 192.0.2.1 192.0.2.2 40010 8 > "$TMP/ftp.out" &
for i in $(seq 50); do grep -q ready "$TMP/ftp.out" 2>/dev/null && break; sleep 0.1; done
wait "$EV1" "$EV2" 2>/dev/null || true
python3 "$HERE/strace2fixture.py" "$TMP/events.st" "conntrack -E -e ALL (events: conntrack -R of 8 entries, -U mark, -D, -I, FTP session)" > "$OUT/ct-events.txt"
python3 "$HERE/strace2fixture.py" "$TMP/exp-events.st" "conntrack -E expect (FTP PORT seen by nf_conntrack_ftp on lo)" > "$OUT/exp-events.txt"
capture ct-dump "conntrack -L (8 entries from conntrack -R + FTP master with helper)" -- conntrack -L
capture ct-dump-ipv6 "conntrack -L -f ipv6" -- conntrack -L -f ipv6
capture ct-dump-mark "conntrack -L -m 7" -- conntrack -L -m 7
capture ct-get "conntrack -G -s 10.1.0.5 -d 198.51.100.1 -p tcp --sport 40002 --dport 21" -- conntrack -G -s 10.1.0.5 -d 198.51.100.1 -p tcp --sport 40002 --dport 21
capture ct-get-missing "conntrack -G of a tuple that is not there (ENOENT)" -- conntrack -G -s 10.9.9.9 -d 10.2.0.1 -p tcp --sport 1 --dport 21
capture exp-dump "conntrack -L expect (made by nf_conntrack_ftp)" -- conntrack -L expect
capture ct-update-mark "conntrack -U -s 10.1.0.1 -d 10.2.0.1 -p tcp --sport 40000 --dport 21 -m 9 (dump, then CT_NEW with tuple + mark)" -- \
  conntrack -U -s 10.1.0.1 -d 10.2.0.1 -p tcp --sport 40000 --dport 21 -m 9
capture ct-delete "conntrack -D -s 10.1.0.4 -d 10.2.0.1 -p tcp --sport 40001 --dport 80 -w 5 (dump, then CT_DELETE of the whole entry)" -- \
  conntrack -D -s 10.1.0.4 -d 10.2.0.1 -p tcp --sport 40001 --dport 80 -w 5
# NFLOG: libpcap (tcpdump -i nflog:7) binds the group; two packets logged by an nft rule
X nft add table inet nl
X nft add chain inet nl out '{ type filter hook output priority 0; }'
X nft add rule inet nl out udp dport 9999 log group 7 prefix '"ftpnat: "'
X timeout 5 strace -xx -s 0 -e trace=sendto,sendmsg,recvmsg,recvfrom -e read=all -e write=all -o "$TMP/nflog.st" \
  tcpdump -i nflog:7 -c 2 -w /dev/null >/dev/null 2>&1 &
NF=$!
sleep 1.5
X python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"PORT 10,0,0,1,4,1\r\n", ("127.0.0.1", 9999))
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"227 Entering Passive Mode (10,0,0,1,4,1)\r\n", ("::1", 9999))'
wait "$NF" || true
python3 "$HERE/strace2fixture.py" "$TMP/nflog.st" "tcpdump -i nflog:7 (libpcap binds NFLOG group 7; an IPv4 and an IPv6 UDP packet logged by nft)" > "$OUT/nflog-packets.txt"
# (conntrack -I expect is not captured: conntrack-tools 1.4.7 puts the tuple's port into the
# protocol number of the expected tuple; our create request is checked against the kernel instead.)
echo "fixtures written to $OUT"
