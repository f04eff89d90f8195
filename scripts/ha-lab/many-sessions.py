#!/usr/bin/env python3
"""N short FTP sessions one after the other (login, PORT or PASV alternately, RETR small.bin, QUIT):
the load for measuring the pair's sync traffic. Prints "sessions=N ok=K seconds=S"."""
import ftplib, sys, time

server, n = sys.argv[1], int(sys.argv[2])
ok = 0
t0 = time.time()
for i in range(n):
    try:
        ftp = ftplib.FTP()
        ftp.connect(server, 21, timeout=10)
        ftp.login("anonymous", "lab@")
        ftp.set_pasv(i % 2 == 1)
        size = [0]
        ftp.retrbinary("RETR small.bin", lambda b: size.__setitem__(0, size[0] + len(b)))
        ftp.quit()
        ok += size[0] == 300000
    except Exception as e:
        print("session %d: %s" % (i, e), file=sys.stderr)
print("sessions=%d ok=%d seconds=%.1f" % (n, ok, time.time() - t0))
