#!/usr/bin/env python3
"""The HA lab's FTP client: one scenario step by step, driven by files so that a failover can be
placed exactly between two FTP commands.

  ftpclient.py SERVER FILE MODE WHEN OUT
    MODE  active | passive
    WHEN  inflight: RETR at once, read slowly (RATE bytes/s) so the failover falls mid-transfer
          after:    PORT/PASV answered first, then wait for OUT.go, then RETR (data conn after failover)
  Writes OUT.ready when the failover may happen, and a JSON result to OUT:
    {"ok": bool, "sha256": hex, "bytes": n, "replies": [...], "error": text}
Every wait is bounded (socket timeouts 20 s, the go file 60 s).
"""
import ftplib, hashlib, json, os, socket, sys, time

server, name, mode, when, out = sys.argv[1:6]
rate = int(os.environ.get("RATE", "2000000"))
replies = []
result = {"ok": False, "sha256": None, "bytes": 0, "replies": replies, "error": None, "stall_s": 0.0}


def ready():
    open(out + ".ready", "w").close()


def await_go():
    deadline = time.time() + 60
    while not os.path.exists(out + ".go"):
        if time.time() > deadline:
            raise RuntimeError("no go file within 60 s")
        time.sleep(0.02)


try:
    ftp = ftplib.FTP()
    ftp.connect(server, 21, timeout=20)
    ftp.login("anonymous", "lab@")
    replies.append(ftp.sendcmd("TYPE I"))
    h = hashlib.sha256()
    n = 0
    if mode == "active":
        # our own listening socket, PORT with our private address (10.10.10.2: the router rewrites it)
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind((ftp.sock.getsockname()[0], 0))
        ls.listen(1)
        ls.settimeout(20)
        host, port = ls.getsockname()
        replies.append(ftp.sendcmd("PORT %s,%d,%d" % (host.replace(".", ","), port >> 8, port & 255)))
        if when == "after":
            ready(); await_go()
        replies.append(ftp.sendcmd("RETR " + name))  # 150 (ftplib's sendcmd accepts 1xx)
        conn, _ = ls.accept()
    else:
        reply = ftp.sendcmd("PASV")
        replies.append(reply)
        host, port = ftplib.parse227(reply)
        if when == "after":
            ready(); await_go()
        conn = socket.create_connection((host, port), timeout=20)
        replies.append(ftp.sendcmd("RETR " + name))
    conn.settimeout(20)
    started = time.time()
    said_ready = when != "inflight"
    last = time.time()
    while True:
        chunk = conn.recv(65536)
        now = time.time()
        # the longest pause of the data stream (the failover's interruption, for in-flight cases)
        result["stall_s"] = max(result["stall_s"], now - last)
        last = now
        if not chunk:
            break
        h.update(chunk)
        n += len(chunk)
        if not said_ready and n >= 4 * 65536:
            ready(); said_ready = True
        ahead = n / rate - (time.time() - started)
        if ahead > 0:
            time.sleep(ahead)
            last = time.time()
    conn.close()
    ftp.sock.settimeout(20)
    replies.append(ftp.voidresp())  # the 226 on the control connection
    replies.append(ftp.sendcmd("NOOP"))
    ftp.quit()
    result.update(ok=True, sha256=h.hexdigest(), bytes=n)
except Exception as e:  # the result says what failed; the runner decides
    result["error"] = "%s: %s" % (type(e).__name__, e)
    result["bytes"] = locals().get("n", 0)
    result["sha256"] = locals().get("h").hexdigest() if locals().get("h") else None
with open(out, "w") as f:
    json.dump(result, f)
