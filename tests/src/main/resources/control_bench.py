# Control-channel measurements for scripts/bench-proxy.sh.
#   control_bench.py latency HOST PORT USER PASS N [CMD]   N commands (NOOP, or e.g. PASV) in one session: RTT p50/p99 (ms)
#   control_bench.py rate HOST PORT USER PASS SECONDS T    T threads opening sessions (banner, USER, PASS, QUIT) for SECONDS
import socket, sys, threading, time

def session(host, port):
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, s.makefile("rb")

def reply(f):
    line = f.readline()
    while len(line) > 3 and line[3:4] == b"-":
        code = line[:3]
        while True:
            line = f.readline()
            if line.startswith(code + b" ") or not line:
                break
    return line

def login(s, f, user, password):
    reply(f)
    s.sendall(("USER %s\r\n" % user).encode())
    if reply(f).startswith(b"331"):
        s.sendall(("PASS %s\r\n" % password).encode()); reply(f)

def latency(host, port, user, password, n, command="NOOP"):
    s, f = session(host, port); login(s, f, user, password)
    times = []
    for _ in range(n):
        t = time.perf_counter(); s.sendall(command.encode() + b"\r\n"); r = reply(f); times.append((time.perf_counter() - t) * 1000)
        if not r[:1] == b"2": raise SystemExit(command + " answered " + repr(r))
    s.sendall(b"QUIT\r\n"); s.close()
    times.sort()
    print("latency p50 %.4f p99 %.4f mean %.4f n %d" % (times[len(times) // 2], times[int(len(times) * 0.99)], sum(times) / n, n))

def rate(host, port, user, password, seconds, threads):
    done, failed, stop = [0], [0], time.time() + seconds
    lock = threading.Lock()
    def worker():
        while time.time() < stop:
            try:
                s, f = session(host, port); login(s, f, user, password)
                s.sendall(b"QUIT\r\n"); reply(f); s.close()
                with lock: done[0] += 1
            except OSError:
                with lock: failed[0] += 1
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.time()
    for t in ts: t.start()
    for t in ts: t.join()
    print("rate %.1f sessions/s done %d failed %d" % (done[0] / (time.time() - t0), done[0], failed[0]))

a = sys.argv
if a[1] == "latency": latency(a[2], int(a[3]), a[4], a[5], int(a[6]), *(a[7:8]))
else: rate(a[2], int(a[3]), a[4], a[5], float(a[6]), int(a[7]))
