#!/usr/bin/env bash
# Issue #15, proxy mode: what becomes of a proxied session's data connection already open when the
# master fails. The pair lab (lab.sh) with the SNAT rule in `mode: proxy` (ftpnatd's ALG on each
# router, binding its upstream connections to the WAN VIP), conntrackd + keepalived + ftpnatd --ha.
# SNAT and DNAT rules in proxy mode; for each, one passive and one active 24 MiB download through A, read slowly; A's three links go down
# mid-transfer; B takes over. Prints one line per case: bytes received / size, sha256, the error
# the client saw (the control connection ends at A's ftpnatd: it cannot move), and the new
# master's conntrack view of the data connections. Bounded: ~60 s. Usage (root):
#   scripts/ha-lab/proxy-inflight.sh [--out FILE] [--tag TAG] [--virtual-route]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=/dev/stdout TAG=ftpnat-hp-$$ VROUTE=no
while (($#)); do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --tag) TAG=$2; shift 2 ;;
    --virtual-route) VROUTE=yes; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "proxy-inflight.sh: needs root (namespaces)" >&2; exit 2; }
. "$HERE/lab.sh"
ROOT=$(mktemp -d /tmp/ftpnat-hp-XXXXXX); chmod 755 "$ROOT"
cleanup() { [[ -d $ROOT/lab ]] && lab_down "$ROOT/lab"; [[ ${KEEP:-} ]] || rm -rf "$ROOT"; }
trap cleanup EXIT
export RATE=${RATE:-4000000} LAB_SNAT_MODE=proxy LAB_DNAT_MODE=proxy
# --virtual-route: the role's ftpnat_ha_virtual_routes, a route to the server with the WAN VIP as
# preferred source, which keepalived installs on the master only: ftpnatd's upstream connections of
# the DNAT rule, and so their data connections, then use the VIP instead of the router's own address
[[ $VROUTE == yes ]] && export LAB_VIRTUAL_ROUTES="[{\"to\": \"$SERVER/32\", \"dev\": \"r1\", \"src\": \"$WAN_VIP\"}]"
LAB_PREFIX=$TAG
lab_up "$ROOT/lab" yes
rd="$LAB_DIR/proxy"; mkdir -p "$rd"
pids=()
cases=(snat-passive snat-active dnat-passive dnat-active)
for c in "${cases[@]}"; do
  target=$SERVER; [[ $c == dnat-* ]] && target=$LAN_VIP
  inns client python3 "$HERE/ftpclient.py" "$target" big.bin "${c#*-}" inflight "$rd/$c.json" &
  pids+=($!)
done
until=$((SECONDS + 30))
for c in "${cases[@]}"; do
  while [[ ! -e $rd/$c.json.ready && ! -e $rd/$c.json ]] && ((SECONDS < until)); do sleep 0.05; done
done
sleep 0.5
echo "# a channels before: $(inns a nft list ruleset 2>/dev/null | grep -E ' : [0-9.]+ expires' | tr -s ' ' | tr '\n' ';' | cut -c1-800)" >>"$OUT"
for l in r0 r1 s9; do inns a ip link set "$l" down; done
wait_master b 30 || true
sleep 1
echo "# b conntrack data: $(inns b conntrack -L -p tcp 2>/dev/null | grep -v 'dport=21 ' | tr '\n' ';' | cut -c1-2000)" >>"$OUT"
for p in "${pids[@]}"; do wait "$p" || true; done
size=$(stat -c %s "$LAB_DIR/server/pub/big.bin"); want=$(sha256sum "$LAB_DIR/server/pub/big.bin" | cut -c1-64)
for c in "${cases[@]}"; do
  python3 - "$rd/$c.json" "$c" "$size" "$want" <<'PY' >>"$OUT"
import json, sys
path, case, size, want = sys.argv[1:5]
nat, mode = case.split("-")
try:
    r = json.load(open(path))
except Exception as e:
    r = {"ok": False, "bytes": 0, "sha256": None, "error": "no result: %s" % e, "stall_s": 0}
print("proxy %s %s inflight data=%s bytes=%d/%s sha=%s control=%s stall_s=%.2f error=%s" % (
    nat, mode, "complete" if r.get("bytes") == int(size) and r.get("sha256") == want else "incomplete",
    r.get("bytes") or 0, size, "ok" if r.get("sha256") == want else "bad", "ok" if r.get("ok") else "lost",
    r.get("stall_s") or 0.0, (r.get("error") or "-").replace(" ", "_")[:160]))
PY
done
echo "# b routes: $(inns b ip route show "$SERVER/32" | tr '\n' ';')" >>"$OUT"
echo "# b notify: $(tr '\n' ';' <"$LAB_DIR/b/notify.log" | cut -c1-600)" >>"$OUT"
