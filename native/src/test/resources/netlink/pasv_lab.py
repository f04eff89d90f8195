#!/usr/bin/env python3
"""Both ends of a passive-mode FTP control dialogue for the NAT test, line-driven.
server ADDR ADVERTISED DATA_PORT: listens on ADDR:21, answers 220/331, replies to PASV with
    "227 Entering Passive Mode (ADVERTISED,p1,p2)" (an address the kernel helper will not trust),
    then accepts data connections on ADDR:DATA_PORT and sends "data" on each.
client SERVER_ADDR: connects to SERVER_ADDR:21, sends USER and PASV, prints "pasv <port>"; then
    for each stdin line "connect TIMEOUT" connects to SERVER_ADDR:<port> and prints "data-ok" or
    "data-failed"."""
import socket
import sys
import threading

role = sys.argv[1]
if role == "server":
    addr, adv, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    data = socket.socket()
    data.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    data.bind((addr, port))
    data.listen(8)

    def serve_data():
        while True:
            c, _ = data.accept()
            c.sendall(b"data")
            c.close()

    threading.Thread(target=serve_data, daemon=True).start()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, 21))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    conn.sendall(b"220 lab\r\n")
    f = conn.makefile("rb")
    for line in f:
        cmd = line.decode().strip().upper()
        if cmd.startswith("USER"):
            conn.sendall(b"331 ok\r\n")
        elif cmd.startswith("PASV"):
            a = adv.split(".")
            conn.sendall(("227 Entering Passive Mode (%s,%s,%s,%s,%d,%d)\r\n" % (a[0], a[1], a[2], a[3], port >> 8, port & 255)).encode())
        elif cmd.startswith("QUIT"):
            conn.sendall(b"221 bye\r\n")
            break
else:
    server = sys.argv[2]
    c = socket.create_connection((server, 21), timeout=10)
    f = c.makefile("rb")
    f.readline()
    c.sendall(b"USER anonymous\r\n")
    f.readline()
    c.sendall(b"PASV\r\n")
    reply = f.readline().decode()
    nums = reply[reply.index("(") + 1:reply.index(")")].split(",")
    port = int(nums[4]) * 256 + int(nums[5])
    print("pasv", port, flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        try:
            d = socket.create_connection((server, port), timeout=float(parts[1]))
            d.settimeout(float(parts[1]))
            ok = d.recv(4) == b"data"
            print("data-ok" if ok else "data-failed", flush=True)
        except OSError:
            print("data-failed", flush=True)
    c.sendall(b"QUIT\r\n")
