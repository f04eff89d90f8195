#!/usr/bin/env bash
# docs/benchmarks.md, "Router pairs": what the sync link carries for FTP sessions through A, by
# ftpnatd (its own counter of datagram bytes incl. IPv4+UDP headers) and by conntrackd (its
# `-s network` counters), for N sessions (default 500), scaled to 1,000; the idle heartbeat of
# ftpnatd over the same time is measured before and subtracted. Usage: sync-traffic.sh [N]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-500}
. "$HERE/lab.sh"
ROOT=$(mktemp -d /tmp/ftpnat-ha-XXXXXX); chmod 755 "$ROOT"
LAB_PREFIX="ftpnat-ha-$$-traffic"; LAB_DIR="$ROOT/lab"
trap 'lab_down "$LAB_DIR"; rm -rf "$ROOT"' EXIT
lab_up "$LAB_DIR" yes >/dev/null
ctl() { "$HA_HOME/bin/ftpnatctl" --socket "$LAB_DIR/a/ftpnatd.sock" -o json ha status; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
ctd_sent() { inns a conntrackd -C "$LAB_DIR/a/conntrackd.conf" -s network | awk '/Bytes sent/ {print $1; exit}'; }
# the heartbeat alone, 10 s
h0=$(ctl | field bytes_sent); sleep 10; h1=$(ctl | field bytes_sent)
b0=$(ctl | field bytes_sent); m0=$(ctl | field messages_sent); c0=$(ctd_sent)
t0=$(date +%s.%N)
res=$(inns client python3 "$HERE/many-sessions.py" "$SERVER" "$N")
sleep 1
t1=$(date +%s.%N)
b1=$(ctl | field bytes_sent); m1=$(ctl | field messages_sent); c1=$(ctd_sent)
# non-FTP connections: 10,000 TCP entries (port 80) loaded into A's table; ftpnatd follows only
# expectation events, so it should send nothing for them but its heartbeat
seq 1 10000 | awk '{ printf "-I -s 10.10.%d.%d -d 192.168.10.115 -p tcp --sport %d --dport 80 --state ESTABLISHED -t 600 -u SEEN_REPLY\n", 20 + int($1 / 250), $1 % 250 + 1, 1024 + $1 }' >"$ROOT/other.txt"
n0=$(ctl | field messages_sent); s0=$(date +%s.%N)
inns a conntrack -R "$ROOT/other.txt" >/dev/null 2>&1
sleep 4
n1=$(ctl | field messages_sent); s1=$(date +%s.%N)
echo "non-FTP: 10,000 TCP entries loaded; ftpnatd sent $((n1 - n0)) messages in $(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", b - a }') s (heartbeat: one per 2 s)"
python3 - "$N" "$res" "$h0" "$h1" "$b0" "$b1" "$m0" "$m1" "$c0" "$c1" "$t0" "$t1" <<'PY'
import sys
n, res = int(sys.argv[1]), sys.argv[2]
h0, h1, b0, b1, m0, m1, c0, c1 = map(int, sys.argv[3:11])
t0, t1 = float(sys.argv[11]), float(sys.argv[12])
hb = (h1 - h0) / 10.0 * (t1 - t0)
ftp = (b1 - b0) - hb
print(res)
print("ftpnatd: %d messages, %d bytes in %.1f s, of which heartbeat ~%.0f bytes; per 1,000 FTP sessions: %.0f bytes (%.1f KiB)"
      % (m1 - m0, b1 - b0, t1 - t0, hb, ftp * 1000 / n, ftp * 1000 / n / 1024))
print("conntrackd: %d bytes; per 1,000 FTP sessions: %.0f bytes (%.1f KiB)" % (c1 - c0, (c1 - c0) * 1000 / n, (c1 - c0) * 1000 / n / 1024))
PY
