#!/usr/bin/env bash
# The failover matrix of issue #15 on the router-pair lab (lab.sh), real daemons, real kernel:
#
#   run-matrix.sh [--ha yes|no] [--failures "hard graceful"] [--out FILE]
#
# --ha no  : conntrackd + keepalived alone (ftpnatd runs in both routers, without its HA part)
# --ha yes : the same, plus ftpnatd's replication of what conntrackd drops (docs/ha.md)
#
# Per failure kind, one lab: A is master; 8 FTP sessions start (SNAT and DNAT x active and passive
# x in flight and negotiated-before); then A fails (hard: its links go down; graceful: keepalived
# stops); B takes over; the negotiated sessions then RETR. Then the failback to A with 8 new
# sessions. Each case prints one line:
#   case <failure> <round> <nat> <mode> <when> ok|FAIL bytes=<received>/<size> sha=ok|bad failover_s=<s> error=<...>
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WITH_HA=no FAILURES="hard graceful" OUT=/dev/stdout TAG=ftpnat-ha-$$
while (($#)); do
  case $1 in
    --ha) WITH_HA=$2; shift 2 ;;
    --failures) FAILURES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --tag) TAG=$2; shift 2 ;;  # namespaces are named TAG-<failure>-<node> (a caller can remove leftovers)
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run-matrix.sh: needs root (namespaces)" >&2; exit 2; }
# shellcheck source=lab.sh
. "$HERE/lab.sh"

ROOT=$(mktemp -d /tmp/ftpnat-ha-XXXXXX); chmod 755 "$ROOT"
cleanup() { for d in "$ROOT"/lab-*; do [[ -d $d ]] && lab_down "$d"; done; [[ ${KEEP:-} ]] || rm -rf "$ROOT"; }
trap cleanup EXIT
export RATE=${RATE:-4000000}

round() {  # FAILURE ROUND(failover|failback) FROM TO
  local failure=$1 rnd=$2 from=$3 to=$4 cases=() pids=()
  local rd="$LAB_DIR/$rnd"; mkdir -p "$rd"
  for nat in snat dnat; do
    local target=$SERVER; [[ $nat == dnat ]] && target=$LAN_VIP
    for mode in active passive; do
      for when in inflight after; do
        local file=small.bin; [[ $when == inflight ]] && file=big.bin
        local c="$nat-$mode-$when"
        inns client python3 "$HERE/ftpclient.py" "$target" "$file" "$mode" "$when" "$rd/$c.json" &
        pids+=($!); cases+=("$c")
      done
    done
  done
  # every session has reached the point where the failover must fall (bounded)
  local until=$((SECONDS + 30))
  for c in "${cases[@]}"; do
    while [[ ! -e $rd/$c.json.ready && ! -e $rd/$c.json ]] && ((SECONDS < until)); do sleep 0.05; done
  done
  sleep 0.5
  local t0; t0=$(date +%s.%N)
  : >"$LAB_DIR/$to/notify.log.before"; cp "$LAB_DIR/$to/notify.log" "$LAB_DIR/$to/notify.log.before" 2>/dev/null || true
  : >"$LAB_DIR/$to/notify.log"
  if [[ $failure == hard ]]; then
    for l in r0 r1 s9; do inns "$from" ip link set "$l" down; done
  else
    kill -TERM "$(cat "$LAB_DIR/$from/keepalived.pid")"
  fi
  wait_master "$to" 30 || true
  local t1; t1=$(date +%s.%N)
  local took; took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  for c in "${cases[@]}"; do touch "$rd/$c.json.go"; done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for c in "${cases[@]}"; do
    local file=small.bin; [[ $c == *inflight ]] && file=big.bin
    local size want; size=$(stat -c %s "$LAB_DIR/server/pub/$file"); want=$(sha256sum "$LAB_DIR/server/pub/$file" | cut -c1-64)
    python3 - "$rd/$c.json" "$failure" "$rnd" "$c" "$size" "$want" "$took" <<'PY' >>"$OUT"
import json, sys
path, failure, rnd, case, size, want, took = sys.argv[1:8]
try:
    r = json.load(open(path))
except Exception as e:
    r = {"ok": False, "bytes": 0, "sha256": None, "error": "no result: %s" % e}
nat, mode, when = case.split("-")
good = r["ok"] and r["sha256"] == want and r["bytes"] == int(size)
err = (r.get("error") or "-").replace(" ", "_")[:120]
print("case %s %s %s %s %s %s bytes=%d/%s sha=%s failover_s=%.2f error=%s stall_s=%.2f" % (
    failure, rnd, nat, mode, when, "ok" if good else "FAIL", r.get("bytes") or 0, size,
    "ok" if r.get("sha256") == want else "bad", float(took), err, r.get("stall_s") or 0.0))
PY
  done
}

restore() {  # the failed router comes back as backup (nopreempt: it does not take the VIPs back)
  local r=$1
  : >"$LAB_DIR/$r/notify.log"
  if [[ $failure == hard ]]; then
    for l in r0 r1 s9; do inns "$r" ip link set "$l" up; done
  else
    keepalived_up "$r"
  fi
  local until=$((SECONDS + 20))
  until grep -q "backup done" "$LAB_DIR/$r/notify.log" 2>/dev/null || ((SECONDS > until)); do sleep 0.1; done
  # its notify hook asked the master for a resync (conntrackd -n) and shortened its stale entries'
  # timers to PurgeTimeout (5 s, -t): wait until they are gone
  sleep 6
}

for failure in $FAILURES; do
  LAB_PREFIX="$TAG-$failure"
  LAB_DIR="$ROOT/lab-$failure"
  lab_up "$LAB_DIR" "$WITH_HA"
  round "$failure" failover a b
  restore a
  round "$failure" failback b a
  if [[ $WITH_HA == yes ]]; then
    for r in a b; do
      echo "# $failure ftpnatd $r ha status: $("$HA_HOME/bin/ftpnatctl" --socket "$LAB_DIR/$r/ftpnatd.sock" -o json ha status 2>&1 | tr -d "\n")" >>"$OUT"
    done
  fi
  # what the server read: every RETR intact (a stream off by the adjustment reads "R small.bin" or worse)
  echo "# $failure server: retr_small=$(grep -c '"RETR small.bin"' "$LAB_DIR/server/vsftpd.log") unknown_command=$(grep -c '"500 Unknown command."' "$LAB_DIR/server/vsftpd.log")" >>"$OUT"
  for r in a b; do echo "# $failure notify $r: $(tr '\n' ';' <"$LAB_DIR/$r/notify.log" | cut -c1-800)" >>"$OUT"; done
  lab_down "$LAB_DIR"
done
echo "# done ha=$WITH_HA" >>"$OUT"
