# Attacks on ftpnatd's ALG, for AlgSmugglingTest. Prints what it sent and received, one fact a line.
# Usage: alg_attacks.py SCENARIO HOST PORT [ARGS...]
#   smuggle HOST PORT [direct]       : every smuggling variant after login; "direct" runs only the first two
#   flood HOST PORT SRC CONNS SECONDS: pipelined NOOPs as fast as TCP takes them, CONNS connections from SRC
#   accept HOST PORT HOLD SRC...     : one connection per SRC (repeat a SRC for more), first line of each, held HOLD s
#   connect HOST PORT                : can a connection be made at all (3 s)?
#   evil HOST PORT                   : the client of the malicious server (alg_evil_server.py); prints every line received
import select, socket, sys, time

scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
args = sys.argv[4:]
IAC = b"\xff"
BOUNCE = b"PORT 10,10,10,99,195,80\r\n"


def connect(src=None, timeout=10):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def line(self, timeout=5.0):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                b = self.s.recv(4096)
            except socket.timeout:
                return None
            if not b:
                return None
            self.buf += b
        i = self.buf.index(b"\n")
        l, self.buf = self.buf[:i + 1], self.buf[i + 1:]
        return l

    def all(self, quiet=1.0):
        """Every line that arrives until none came for `quiet` seconds."""
        out = []
        while True:
            l = self.line(quiet)
            if l is None:
                return out
            out.append(l)


def show(b):
    return "".join(chr(c) if 32 <= c < 127 else "<%d>" % c for c in b.rstrip(b"\r\n"))


VARIANTS = [
    ("iac-will-lf", [b"NOOP" + IAC + b"\xfb\n" + BOUNCE]),
    ("sb-lf-se", [b"NOOP" + IAC + b"\xfa\x18\n" + BOUNCE[:-2] + IAC + b"\xf0\r\n"]),
    ("iac-wont-lf", [b"NOOP" + IAC + b"\xfc\n" + BOUNCE]),
    ("iac-do-lf", [b"NOOP" + IAC + b"\xfd\n" + BOUNCE]),
    ("iac-dont-lf", [b"NOOP" + IAC + b"\xfe\n" + BOUNCE]),
    ("iac-lf", [b"NOOP" + IAC + b"\n" + BOUNCE]),
    ("bare-cr", [b"NOOP\r" + BOUNCE]),
    ("nul", [b"NOOP\x00\n" + BOUNCE]),
    ("cr-without-lf", [b"NOOP\r", b"PORT 10,10,10,99,195,80\r", b"\n"]),
    ("iac-at-end-of-segment", [b"NOOP" + IAC, b"\xfb", b"\n" + BOUNCE]),
    ("split-at-every-byte", [bytes([c]) for c in b"NOOP" + IAC + b"\xfb\n" + BOUNCE]),
    ("ff-not-doubled", [b"RETR \xffx\n" + BOUNCE]),
    ("overlong", [b"NOOP " + b"A" * 5000 + IAC + b"\xfb\n" + BOUNCE]),
]

if scenario == "smuggle":
    s = connect()
    r = Reader(s)
    print("greeting", show(r.line()), flush=True)
    for c in (b"USER anonymous\r\n", b"PASS lab@\r\n"):
        s.sendall(c)
        print("login", show(r.line()), flush=True)
    for name, parts in (VARIANTS[:2] if args[:1] == ["direct"] else VARIANTS):
        for i, p in enumerate(parts):
            if i:
                time.sleep(0.02)  # each part its own segment (TCP_NODELAY)
            s.sendall(p)
        expected = sum(p.count(b"\n") for p in parts)
        got = [r.line() for _ in range(expected)]
        print("variant", name, " ".join("none" if g is None else show(g)[:3] for g in got), flush=True)
        for g in got:
            print("  <", "none" if g is None else show(g), flush=True)
    s.sendall(b"SYST\r\n")
    print("after", show(r.line() or b"none"), flush=True)
    s.sendall(b"QUIT\r\n")
    print("quit", show(r.line() or b"none"), flush=True)
elif scenario == "flood":
    src, conns, seconds = args[0], int(args[1]), float(args[2])
    socks = [connect(src) for _ in range(conns)]
    for s in socks:
        s.setblocking(False)
    chunk = b"NOOP\r\n" * 10000
    sent = [0] * conns
    end = time.time() + seconds
    while time.time() < end:
        _, writable, _ = select.select([], socks, [], 0.2)
        for s in writable:
            try:
                sent[socks.index(s)] += s.send(chunk)
            except BlockingIOError:
                pass
            except OSError as e:
                print("error", e, flush=True)
                socks.remove(s)
    print("sent", " ".join(str(n) for n in sent), flush=True)
    print("done", flush=True)
    time.sleep(1)
elif scenario == "accept":
    hold, srcs = float(args[0]), args[1:]
    socks, lines = [], []
    for i, src in enumerate(srcs):
        t = time.time()
        try:
            s = connect(src, timeout=5)
            socks.append(s)
            l = Reader(s).line(5)
            print("conn", i, src, "%.2f" % (time.time() - t), "none" if l is None else show(l), flush=True)
        except OSError as e:
            print("conn", i, src, "%.2f" % (time.time() - t), "error", e, flush=True)
    print("holding", flush=True)
    time.sleep(hold)
    print("done", flush=True)
elif scenario == "connect":
    try:
        s = connect(timeout=3)
        print("connected", flush=True)
        print("first", show(Reader(s).line(3) or b"none"), flush=True)
    except socket.timeout:
        print("timeout", flush=True)
    except OSError as e:
        print("refused", e, flush=True)
elif scenario == "evil":
    s = connect()
    r = Reader(s)
    for l in r.all():
        print("<", show(l), flush=True)
    for c in ("USER a", "PASS b", "NOOP", "PASV", "NOOP", "NOOP", "NOOP", "QUIT"):
        print(">", c, flush=True)
        s.sendall((c + "\r\n").encode())
        for l in r.all():
            print("<", show(l), flush=True)
else:
    raise SystemExit("unknown scenario " + scenario)
