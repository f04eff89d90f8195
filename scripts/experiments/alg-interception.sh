#!/bin/bash
# The experiment behind docs/design/alg.md: in three throwaway namespaces (deleted on every exit),
# (1) nft 'redirect' of a control connection to a local listener, and the original destination
#     read back from the conntrack entry found by the accepted socket's tuple (= the reply tuple);
# (2) one data connection let through by an nft map element (dnat by concatenated key, snat by a
#     second map), with a timeout, the entry deleted afterwards.
# Root only; touches nothing outside the namespaces it creates.
set -euo pipefail
P=alge-$$
C=$P-c R=$P-r S=$P-s
cleanup() { for n in $C $R $S; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in $C $R $S; do ip netns add $n; ip -n $n link set lo up; done
ip link add c0 netns $C type veth peer name r0 netns $R
ip link add s0 netns $S type veth peer name r1 netns $R
ip -n $C addr add 10.10.10.2/24 dev c0; ip -n $C link set c0 up; ip -n $C route add default via 10.10.10.1
ip -n $S addr add 192.168.10.115/24 dev s0; ip -n $S link set s0 up; ip -n $S route add default via 192.168.10.114
ip -n $R addr add 10.10.10.1/24 dev r0; ip -n $R addr add 192.168.10.114/24 dev r1
ip -n $R link set r0 up; ip -n $R link set r1 up
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip netns exec $R nft -f - <<'NFT'
table inet t {
  map pdnat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
  map psnat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr; flags timeout; }
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    iifname "r0" ip saddr 10.10.10.0/24 tcp dport 21 fib daddr type != local redirect to :8021
    ct state new dnat ip to ip saddr . ip daddr . tcp dport map @pdnat4
  }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ct state new snat ip to ip saddr . ip daddr . tcp dport map @psnat4
  }
}
NFT
# (1) redirect: a listener in the router on 8021 prints its local/remote address; conntrack shows the original destination
ip netns exec $R python3 -c '
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0",8021)); s.listen()
c,a=s.accept(); print("router accepted: local", c.getsockname(), "remote", a); c.sendall(b"220 hi\r\n"); c.recv(10)' &
sleep 0.5
ip netns exec $C python3 -c '
import socket; s=socket.create_connection(("192.168.10.115",21),timeout=5); print("client got", s.recv(100)); s.close()' &
sleep 0.7
echo "conntrack in the router:"; ip netns exec $R conntrack -L -p tcp --dport 21 2>/dev/null
echo "lookup by the reply tuple (what the accepted socket shows):"
ip netns exec $R conntrack -L -p tcp --reply-port-src 8021 2>/dev/null
wait
# (2) one data connection through a map element: client -> 10.10.10.1:50001 becomes 192.168.10.114 -> server:40000
ip netns exec $S python3 -c '
import socket
s=socket.socket(); s.bind(("0.0.0.0",40000)); s.listen(); c,a=s.accept(); print("server saw data connection from", a); c.sendall(b"data")' &
sleep 0.5
ip netns exec $R nft add element inet t pdnat4 '{ 10.10.10.2 . 10.10.10.1 . 50001 timeout 30s : 192.168.10.115 . 40000 }'
ip netns exec $R nft add element inet t psnat4 '{ 10.10.10.2 . 192.168.10.115 . 40000 timeout 30s : 192.168.10.114 }'
ip netns exec $C python3 -c '
import socket; s=socket.create_connection(("10.10.10.1",50001),timeout=5); print("client read", s.recv(10))'
wait
ip netns exec $R conntrack -L -p tcp --orig-port-dst 50001 2>/dev/null
ip netns exec $R nft list map inet t pdnat4
ip netns exec $R nft delete element inet t pdnat4 '{ 10.10.10.2 . 10.10.10.1 . 50001 }'
echo "after delete, a second connection is not translated:"
ip netns exec $C timeout 3 python3 -c '
import socket; s=socket.create_connection(("10.10.10.1",50001),timeout=2)' 2>&1 | tail -1 || true
