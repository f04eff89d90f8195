#!/usr/bin/env python3
"""A real FTP client session (ftplib) driven line by line on stdin, for the integration tests.
Usage: ftp_session.py CLIENT_ADDR SERVER_ADDR
Prints "ctl <local port>" once logged in, then answers each command:
  pasv                -> "pasv <port>"       (sends PASV; nf_conntrack_ftp expects the data connection)
  epsv                -> "epsv <port>"       (sends EPSV, e.g. over IPv6)
  list                -> "list <n lines>"    (a full passive LIST)
  listen ADDR PORT    -> "listening"         (a TCP listener, e.g. the far end of a data connection)
  connect ADDR PORT   -> "connected <lport>" (connects from CLIENT_ADDR, accepts on the listener, sends a byte)
  quit                -> exits"""
import ftplib
import socket
import sys

client, server = sys.argv[1], sys.argv[2]
ftp = ftplib.FTP()
ftp.connect(server, 21, timeout=10, source_address=(client, 0))
ftp.login()
print("ctl", ftp.sock.getsockname()[1], flush=True)
listener = None
keep = []
for line in sys.stdin:
    cmd = line.split()
    if not cmd:
        continue
    if cmd[0] == "pasv":
        host, port = ftplib.parse227(ftp.sendcmd("PASV"))
        print("pasv", port, flush=True)
    elif cmd[0] == "epsv":
        port = ftplib.parse229(ftp.sendcmd("EPSV"), ftp.sock.getpeername())[1]
        print("epsv", port, flush=True)
    elif cmd[0] == "list":
        lines = []
        ftp.retrlines("LIST", lines.append)
        print("list", len(lines), flush=True)
    elif cmd[0] == "listen":
        listener = socket.socket(socket.AF_INET6 if ":" in cmd[1] else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((cmd[1], int(cmd[2])))
        listener.listen(4)
        print("listening", flush=True)
    elif cmd[0] == "connect":
        s = socket.create_connection((cmd[1], int(cmd[2])), timeout=5, source_address=(client, 0))
        a, _ = listener.accept()
        s.sendall(b"x")
        a.recv(1)
        keep += [s, a]
        print("connected", s.getsockname()[1], flush=True)
    elif cmd[0] == "quit":
        break
try:
    ftp.quit()
except Exception:
    pass
