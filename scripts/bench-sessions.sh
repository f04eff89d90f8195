#!/bin/bash
# Benchmark of the session model (docs/benchmarks.md, "Session model"):
#  1. in a throw-away namespace (deleted on exit, also on failure): N real FTP control connections
#     on loopback with the ftp helper attached by nft, then io.ftpnat.session.bench.SessionBench
#     (controller test classes) with the daemon's JVM flags: reconcile time against the kernel's
#     tables, the observer's parse cost per 1,000 sessions, heap/RSS with N tracked sessions, and
#     reconcile of 10,000 expectations against FakeConntrackKernel;
#  2. io.ftpnat.lab.SessionLatencyBench in the reference lab: PASV reply at the router → expectation
#     in the kernel, the daemon's repair vs the kernel helper's own, same run.
# Needs root. Usage: [BUILD=no] [RUNS=5] scripts/bench-sessions.sh [CONTROLS=10000] [SESSIONS=1000]
set -euo pipefail
N=${1:-10000}
SESSIONS=${2:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS=ftpnat-sess-bench-$$
TMP=$(mktemp -d)
HOLDER=
cleanup() {
  for p in $HOLDER; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }
if [ "${BUILD:-yes}" = yes ]; then
  (cd "$ROOT" && mvn -q -B -ntp -DskipTests install && mvn -q -B -ntp -pl controller test-compile)
fi
ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
X nft -f - <<'NFT'
table inet bench {
  ct helper ftp { type "ftp" protocol tcp; }
  chain out { type filter hook output priority filter; tcp dport 21 ct state new ct helper set "ftp"; }
}
NFT
# two processes (the server's and the clients' sockets), so each stays under the open-files limit
cat > "$TMP/hold.py" <<'PY'
import socket, sys, threading, time
role, n = sys.argv[1], int(sys.argv[2])
if role == "server":
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 21)); srv.listen(4096)
    print("listening", flush=True)
    held = [srv.accept()[0] for _ in range(n)]
else:
    held = [socket.create_connection(("127.0.0.1", 21)) for _ in range(n)]
print("ready", flush=True)
sys.stdin.read()
PY
ulimit -n "$(ulimit -Hn)"
mkfifo "$TMP/in"
X python3 "$TMP/hold.py" server "$N" < "$TMP/in" > "$TMP/server.out" &
HOLDER="$!"
exec 3>"$TMP/in"
for i in $(seq 1 100); do grep -q listening "$TMP/server.out" 2>/dev/null && break; sleep 0.1; done
X python3 "$TMP/hold.py" client "$N" < "$TMP/in" > "$TMP/client.out" &
HOLDER="$HOLDER $!"
for i in $(seq 1 600); do grep -q ready "$TMP/client.out" 2>/dev/null && grep -q ready "$TMP/server.out" && break; sleep 0.1; done
grep -q ready "$TMP/client.out" || { echo "the connection holders did not get ready" >&2; exit 1; }
echo "== session model: $N control connections, kernel $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
X java -XX:+UseSerialGC -Xms16m -Xmx256m -cp "$ROOT/controller/target/ftpnat.jar:$ROOT/controller/target/test-classes:$ROOT/native/target/ftpnat-native-0.1.0-tests.jar" \
  io.ftpnat.session.bench.SessionBench "${RUNS:-5}"
exec 3>&-
echo
echo "== repair latency in the reference lab ($SESSIONS sessions per path)"
java -cp "$ROOT/tests/target/classes:$(cat "$ROOT/tests/target/classpath.txt")" -Dftpnat.home="$ROOT" \
  io.ftpnat.lab.SessionLatencyBench --sessions "$SESSIONS"
