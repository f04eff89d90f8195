# Many concurrent FTP sessions from one process (ProxyManySessionsTest, scripts/bench-proxy.sh).
#   many_sessions.py serve PORT                  a threaded scripted FTP server (one thread per session)
#   many_sessions.py open HOST PORT N HOLD_S     opens N sessions, logs each in, PASV in each, holds
#                                                them HOLD_S seconds (prints "held N"), NOOP in each,
#                                                QUIT; prints counts of what went wrong
import socket, sys, threading, time

def serve(port):
    threading.stack_size(256 * 1024)  # thousands of session threads: a small stack each
    l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("::", port)); l.listen(4096)
    def session(c):
        try:
            f = c.makefile("rb"); c.sendall(b"220 scripted\r\n")
            for line in f:
                v = line.decode("latin-1").strip().upper()
                if v.startswith("USER"): c.sendall(b"331 pass\r\n")
                elif v.startswith("PASS"): c.sendall(b"230 in\r\n")
                elif v.startswith("PASV"): c.sendall(b"227 Entering Passive Mode (192,168,10,115,156,64).\r\n")
                elif v.startswith("QUIT"): c.sendall(b"221 bye\r\n"); break
                else: c.sendall(b"200 ok\r\n")
        except OSError:
            pass
        finally:
            c.close()
    print("listening", flush=True)
    while True:
        c, _ = l.accept()
        threading.Thread(target=session, args=(c,), daemon=True).start()

def opener(host, port, n, hold):
    socks, bad = [], {"connect": 0, "banner": 0, "login": 0, "pasv": 0, "noop": 0, "quit": 0}
    t0 = time.time()
    for i in range(n):
        try:
            s = socket.create_connection((host, port), timeout=30)
            socks.append((s, s.makefile("rb")))
        except OSError:
            bad["connect"] += 1
    def expect(key, prefix, send=None):
        for s, f in socks:
            try:
                if send: s.sendall(send)
                if not f.readline().startswith(prefix): bad[key] += 1
            except OSError:
                bad[key] += 1
    expect("banner", b"220")
    expect("login", b"331", b"USER a\r\n"); expect("login", b"230", b"PASS b\r\n")
    expect("pasv", b"227 Entering Passive Mode (10,10,10,1,", b"PASV\r\n")
    print("held %d in %.1f s" % (len(socks), time.time() - t0), flush=True)
    time.sleep(hold)
    expect("noop", b"200", b"NOOP\r\n")
    expect("quit", b"221", b"QUIT\r\n")
    for s, _ in socks: s.close()
    print("failures", " ".join("%s=%d" % kv for kv in bad.items()), flush=True)

if sys.argv[1] == "serve": serve(int(sys.argv[2]))
else: opener(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
