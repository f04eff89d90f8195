#!/usr/bin/env python3
"""A minimal FTP control connection for the lab: server on SERVER:21, a client from CLIENT that
sends `PORT` (or reads a `227` for PASV) so that nf_conntrack_ftp (attached by an nft rule) creates
an expectation. Keeps the control connection open for HOLD seconds, then exits.
Usage: ftp_pair.py CLIENT SERVER DATA_PORT HOLD_SECONDS [--connect-data]
With --connect-data, the server then opens the data connection from port 20 to CLIENT:DATA_PORT
(active mode), which uses the expectation; the client accepts it."""
import socket
import sys
import time

client_ip, server_ip, data_port, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
connect_data = "--connect-data" in sys.argv

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((server_ip, 21))
srv.listen(1)
cli = socket.socket()
cli.bind((client_ip, 0))
cli.connect((server_ip, 21))
conn, _ = srv.accept()
conn.sendall(b"220 lab\r\n")
cli.recv(100)
data_listener = None
if connect_data:
    data_listener = socket.socket()
    data_listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    data_listener.bind((client_ip, data_port))
    data_listener.listen(1)
# nf_conntrack_ftp only parses a packet that starts right after a line it has seen in that
# direction, so the first client line is never parsed: send USER first, as real clients do.
cli.sendall(b"USER anonymous\r\n")
conn.recv(100)
conn.sendall(b"331 ok\r\n")
cli.recv(100)
a = client_ip.split(".")
cli.sendall(("PORT %s,%s,%s,%s,%d,%d\r\n" % (a[0], a[1], a[2], a[3], data_port >> 8, data_port & 255)).encode())
conn.recv(100)
conn.sendall(b"200 PORT ok\r\n")
cli.recv(100)
print("ready", flush=True)
if connect_data:
    line = sys.stdin.readline()  # wait for "go"
    d = socket.socket()
    d.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    d.bind((server_ip, 20))
    d.settimeout(5)
    d.connect((client_ip, data_port))
    acc, _ = data_listener.accept()
    d.sendall(b"data")
    acc.recv(10)
    print("data-ok", flush=True)
time.sleep(hold)
