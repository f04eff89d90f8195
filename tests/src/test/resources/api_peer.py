"""A local user talking to ftpnatd's socket the hard way (no ftpnatctl): the lab's hostile API peer.

usage: api_peer.py SOCKET ask JSON...          one request per argument; prints every answer line
       api_peer.py SOCKET hold N PARTIAL SECS  opens N connections (each sends PARTIAL, no newline),
                                               prints how many the daemon refused and, after SECS,
                                               how many it had closed by then
"""
import json, socket, sys, time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    return s


def read_answer(f):
    """Lines of one answer: a result or error line, or a stream up to its end line."""
    out = []
    while True:
        line = f.readline()
        if not line:
            return out
        out.append(line.rstrip("\n"))
        msg = json.loads(line)
        if "result" in msg or "error" in msg or msg.get("stream") == "end" or "end" in msg:
            return out


def ask(path, requests):
    s = connect(path)
    f = s.makefile("r", encoding="utf-8", errors="replace")
    for r in requests:
        s.sendall(r.encode() + b"\n")
        for line in read_answer(f):
            print(line, flush=True)
    s.close()


def hold(path, n, partial, secs):
    # open all, then look: a refused connection has its too_many_clients answer (or is closed) by
    # then, however busy the machine; a send to one the daemon already closed is not an error here
    conns = []
    for _ in range(n):
        s = connect(path)
        if partial:
            try:
                s.sendall(partial.encode())
            except OSError:
                pass
        conns.append(s)
    time.sleep(1.0)
    held, refused = [], 0
    for s in conns:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            if data == b"" or b"too_many_clients" in data:
                refused += 1
                s.close()
                continue
        except BlockingIOError:
            pass
        except OSError:
            refused += 1
            s.close()
            continue
        held.append(s)
    conns = held
    print("refused %d held %d" % (refused, len(conns)), flush=True)
    deadline = time.time() + secs
    closed = set()
    while time.time() < deadline and len(closed) < len(conns):
        for i, s in enumerate(conns):
            if i in closed:
                continue
            try:
                if s.recv(4096) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
        time.sleep(0.1)
    print("closed-by-daemon %d" % len(closed), flush=True)


if __name__ == "__main__":
    sock, verb = sys.argv[1], sys.argv[2]
    if verb == "ask":
        ask(sock, sys.argv[3:])
    else:
        hold(sock, int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
