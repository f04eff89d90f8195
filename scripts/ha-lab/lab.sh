#!/usr/bin/env bash
# The router-pair lab of issue #15, in network namespaces (docs/ha.md, "The lab"):
#
#   client 10.10.10.2 ─ lan bridge ─┬─ A r0 10.10.10.11 ┐ VIP 10.10.10.1 (LAN) / 192.168.10.114 (WAN)
#                                   └─ B r0 10.10.10.12 ┘ (keepalived VRRP, A priority 150, B 100)
#   server 192.168.10.115 ─ wan bridge ─┬─ A r1 192.168.10.111
#                                       └─ B r1 192.168.10.112
#   A s9 172.16.0.1 ── sync link ── B s9 172.16.0.2 (conntrackd FTFW, ftpnatd's HA messages)
#
# The client's address text (10,10,10,2) is 4 characters shorter than the WAN VIP's
# (192,168,10,114): a rewritten PORT leaves a sequence adjustment of +4 on the control connection.
#
# Sourced by run-matrix.sh; `lab.sh up DIR [ha]` / `lab.sh down DIR` by hand. Everything lives in
# namespaces named ftpnat-ha-<pid>-*, and under DIR; `down` kills only the processes inside them.
set -euo pipefail

HA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAN_VIP=10.10.10.1 WAN_VIP=192.168.10.114 CLIENT=10.10.10.2 SERVER=192.168.10.115
declare -A R0=([a]=10.10.10.11 [b]=10.10.10.12) R1=([a]=192.168.10.111 [b]=192.168.10.112)
declare -A SYNC=([a]=172.16.0.1 [b]=172.16.0.2) PRIO=([a]=150 [b]=100)
peer() { [[ $1 == a ]] && echo b || echo a; }

ns() { echo "$LAB_PREFIX-$1"; }
inns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

lab_up() {  # DIR WITH_HA(yes|no)
  LAB_DIR=$1; WITH_HA=${2:-no}
  mkdir -p "$LAB_DIR"; chmod 755 "$LAB_DIR"
  echo "$LAB_PREFIX" >"$LAB_DIR/prefix"
  for n in client a b server; do ip netns add "$(ns $n)"; inns $n ip link set lo up; done
  # the two shared segments are bridges inside the client's and the server's namespaces
  inns client ip link add lan type bridge; inns client ip link set lan up
  inns server ip link add wan type bridge; inns server ip link set wan up
  for r in a b; do
    ip link add "l$r" netns "$(ns client)" type veth peer name r0 netns "$(ns $r)"
    ip link add "w$r" netns "$(ns server)" type veth peer name r1 netns "$(ns $r)"
    inns client ip link set "l$r" master lan up
    inns server ip link set "w$r" master wan up
    inns $r ip addr add "${R0[$r]}/24" dev r0; inns $r ip link set r0 up
    inns $r ip addr add "${R1[$r]}/24" dev r1; inns $r ip link set r1 up
  done
  ip link add s9 netns "$(ns a)" type veth peer name s9 netns "$(ns b)"
  for r in a b; do inns $r ip addr add "${SYNC[$r]}/30" dev s9; inns $r ip link set s9 up; done
  inns client ip addr add "$CLIENT/24" dev lan; inns client ip route add default via "$LAN_VIP"
  inns server ip addr add "$SERVER/24" dev wan; inns server ip route add default via "$WAN_VIP"
  # the pair's shared key for ftpnatd's HA messages (the role distributes one the same way)
  (umask 077; head -c 32 /dev/urandom >"$LAB_DIR/ha.key")
  for r in a b; do router_up $r; done
  server_up
  # A starts first and becomes master (higher priority); wait until it holds both VIPs
  wait_master a 20
  for i in $(seq 50); do inns client ping -c1 -W1 "$SERVER" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "lab: client cannot reach the server through the VIPs" >&2; return 1
}

router_up() {  # a|b
  local r=$1 d="$LAB_DIR/$1"
  mkdir -p "$d"
  # issue #15's router settings: strict TCP pickup and an invalid drop, so packets in the window
  # between the VIP's move and the commit are dropped (and retransmitted), not turned into new
  # NAT-less entries that reset both connections.
  inns $r sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
  inns $r nft -f - <<NFT
table inet labfw {
  # in prerouting, not only forward: a packet of a connection the new master has not committed yet
  # is addressed to a VIP it now owns, and would otherwise reach its local TCP stack, which resets it
  chain pre {
    type filter hook prerouting priority mangle; policy accept;
    ct state invalid counter drop comment "labfw-invalid"
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    meta l4proto icmp accept
    ct state new tcp dport 21 accept
    ct status dnat accept
    counter drop comment "labfw-drop"
  }
}
NFT
  cat >"$d/policy.yaml" <<YAML
version: 1
control_ports: [21]
snat:
  - name: lan
    source: 10.10.10.0/24
    out_interface: r1
    to: $WAN_VIP
    mode: ${LAB_SNAT_MODE:-kernel}
dnat:
  - name: published
    in_interface: r0
    destination: $LAN_VIP
    port: 21
    to: $SERVER
    mode: ${LAB_DNAT_MODE:-kernel}
YAML
  render_role "$r"
  inns $r conntrackd -C "$d/conntrackd.conf" -d
  local ha_opts=()
  if [[ $WITH_HA == yes ]]; then
    ha_opts=(--ha-local "${SYNC[$r]}:3790" --ha-peer "${SYNC[$(peer $r)]}:3790" --ha-key "$LAB_DIR/ha.key")
  fi
  inns $r "$HA_HOME/bin/ftpnatd" run --policy "$d/policy.yaml" --socket "$d/ftpnatd.sock" "${ha_opts[@]}" \
    >"$d/ftpnatd.log" 2>&1 &
  echo $! >"$d/ftpnatd.pid"
  for i in $(seq 150); do grep -q 'policy applied' "$d/ftpnatd.log" && break; sleep 0.2; done
  grep -q 'policy applied' "$d/ftpnatd.log" || { echo "ftpnatd on $r did not start:"; cat "$d/ftpnatd.log"; return 1; } >&2
  keepalived_up $r
}

keepalived_up() {
  local r=$1 d="$LAB_DIR/$1"
  inns $r keepalived -n -l -D --vrrp -f "$d/keepalived.conf" -p "$d/keepalived.pid" -r "$d/vrrp.pid" \
    >"$d/keepalived.log" 2>&1 &
  echo $! >"$d/keepalived.wrapper"
}

# conntrackd.conf, keepalived.conf and the notify hook's settings from the role's own templates
# (ansible/roles/ftpnat/templates), with the role's variables and the lab's paths
render_role() {
  local r=$1 d="$LAB_DIR/$1"
  cat >"$d/ha-vars.json" <<JSON
{
  "ftpnat_ha_enabled": true,
  "ftpnat_ha_router_id": "lab-$r",
  "ftpnat_ha_local": "${SYNC[$r]}", "ftpnat_ha_peer": "${SYNC[$(peer $r)]}", "ftpnat_ha_sync_interface": "s9",
  "ftpnat_ha_priority": ${PRIO[$r]}, "ftpnat_ha_nopreempt": true, "ftpnat_ha_advert_int": 1,
  "ftpnat_ha_vips": [{"interface": "r0", "address": "$LAN_VIP/24", "vrid": 51},
                     {"interface": "r1", "address": "$WAN_VIP/24", "vrid": 52}],
  "ftpnat_ha_own_addresses": ["${R0[a]}", "${R0[b]}", "${R1[a]}", "${R1[b]}"],
  "ftpnat_ha_conntrackd_conf": "$d/conntrackd.conf", "ftpnat_ha_conntrackd_lockfile": "$d/conntrackd.lock",
  "ftpnat_ha_conntrackd_socket": "$d/conntrackd.ctl", "ftpnat_ha_conntrackd_logfile": "$d/conntrackd.log",
  "ftpnat_ha_keepalived_conf": "$d/keepalived.conf", "ftpnat_ha_notify_env": "$d/notify.env",
  "ftpnat_ha_notify_script": "$HA_HOME/ansible/roles/ftpnat/files/ftpnat-ha-notify",
  "ftpnat_ha_notify_log": "$d/notify.log", "ftpnat_ha_ftpnatctl": "$HA_HOME/bin/ftpnatctl",
  "ftpnat_socket": "$d/ftpnatd.sock",
  "ftpnat_ha_virtual_routes": ${LAB_VIRTUAL_ROUTES:-[]}
}
JSON
  ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ansible-playbook -i localhost, \
    "$HA_HOME/scripts/ha-lab/render-role.yml" -e "@$d/ha-vars.json" >"$d/render.log" 2>&1 \
    || { echo "lab: rendering the role's templates failed:"; cat "$d/render.log"; return 1; } >&2
}

server_up() {
  local d="$LAB_DIR/server"; mkdir -p "$d/pub" "$d/empty"; chmod 755 "$d" "$d/pub" "$d/empty"
  head -c $((24 * 1024 * 1024)) /dev/urandom >"$d/pub/big.bin"
  head -c 300000 /dev/urandom >"$d/pub/small.bin"
  chmod 644 "$d/pub/"*
  cat >"$d/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$d/pub
local_enable=NO
write_enable=NO
connect_from_port_20=YES
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40100
secure_chroot_dir=$d/empty
seccomp_sandbox=NO
isolate_network=NO
vsftpd_log_file=$d/vsftpd.log
log_ftp_protocol=YES
xferlog_enable=YES
syslog_enable=NO
idle_session_timeout=120
data_connection_timeout=60
CONF
  inns server /usr/sbin/vsftpd "$d/vsftpd.conf" >"$d/vsftpd.out" 2>&1 &
  for i in $(seq 50); do inns server ss -Hltn 'sport = :21' | grep -q . && return 0; sleep 0.1; done
  echo "vsftpd did not start" >&2; return 1
}

has_vips() { inns "$1" ip -4 addr show dev r0 | grep -q "$LAN_VIP/" && inns "$1" ip -4 addr show dev r1 | grep -q "$WAN_VIP/"; }

wait_master() {  # ROUTER SECONDS: until it holds both VIPs and its notify hook has finished
  local r=$1 until=$((SECONDS + $2))
  while ((SECONDS < until)); do
    if has_vips "$r" && grep -q "master done" "$LAB_DIR/$r/notify.log" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "lab: $r did not become master within $2 s" >&2; return 1
}

lab_down() {
  local dir=$1
  [[ -f $dir/prefix ]] || return 0
  local prefix; prefix=$(cat "$dir/prefix")
  for n in client a b server; do
    local name="$prefix-$n"
    ip netns list | grep -q "^$name\b" || continue
    for pid in $(ip netns pids "$name"); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$name"
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  LAB_PREFIX=${LAB_PREFIX:-ftpnat-ha-$$}
  case ${1:-} in
    up) lab_up "$2" "${3:-no}"; echo "lab $LAB_PREFIX up in $2" ;;
    down) lab_down "$2" ;;
    *) echo "usage: lab.sh up DIR [yes|no] | down DIR" >&2; exit 2 ;;
  esac
fi
