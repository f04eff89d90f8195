# A scripted FTP client for the forms no real client produces (split segments, LPRT/LPSV, Telnet
# IAC before ABOR, pipelining, bounce attempts). Prints every line it sends ("> ") and receives
# ("< "), and "sha256 NAME HEX" for each download. Usage: raw_ftp.py SCENARIO HOST PORT USER PASS FILE
import hashlib, socket, sys, time

scenario, host, port, user, password, name = sys.argv[1:7]
port = int(port)
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.create_connection((host, port), timeout=15)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb")
me = s.getsockname()[0]


def reply():
    line = f.readline().decode("latin-1").rstrip("\r\n")
    print("<", line, flush=True)
    if len(line) > 3 and line[3] == "-":
        code = line[:3]
        while True:
            line = f.readline().decode("latin-1").rstrip("\r\n")
            print("<", line, flush=True)
            if line.startswith(code + " ") or not line:
                break
    return line


def send(data):
    print(">", data.decode("latin-1").rstrip("\r\n"), flush=True)
    s.sendall(data)


def cmd(c):
    send((c + "\r\n").encode("latin-1"))
    return reply()


def login():
    reply()
    r = cmd("USER " + user)
    if r.startswith("331"):
        cmd("PASS " + password)
    cmd("TYPE I")


def receive_all(conn):
    data = bytearray()
    conn.settimeout(15)
    while True:
        b = conn.recv(65536)
        if not b:
            break
        data += b
    conn.close()
    return bytes(data)


def drain(conn, label="sha256"):
    print(label, name, hashlib.sha256(receive_all(conn)).hexdigest(), flush=True)


def listener():
    l = socket.socket(family, socket.SOCK_STREAM)
    l.bind((me, 0))
    l.listen(1)
    l.settimeout(15)
    return l


def port_args(p):
    return ",".join(me.split(".")) + ",%d,%d" % (p >> 8, p & 255)


def retr_active(command_bytes, l):
    if isinstance(command_bytes, list):
        for i, part in enumerate(command_bytes):
            send(part)
            time.sleep(0.3)  # each part its own TCP segment (TCP_NODELAY)
        r = reply()
    else:
        r = cmd(command_bytes)
    if not r.startswith("2"):
        return
    send(("RETR " + name + "\r\n").encode())
    conn, _ = l.accept()
    print("data connection from", conn.getpeername()[0], flush=True)
    drain(conn)
    reply()
    reply()


def addr_from_227(r):
    inner = r[r.index("(") + 1:r.rindex(")")]
    n = [int(x) for x in inner.split(",")]
    return ".".join(map(str, n[:4])), n[4] * 256 + n[5]


def passive(verb="PASV"):
    """Sends PASV (as spelled) and opens the data connection where its 227 points."""
    return socket.create_connection(addr_from_227(cmd(verb)), timeout=15)


def retr_passive(conn, verb="RETR", label="sha256"):
    cmd(verb + " " + name)
    drain(conn, label)
    reply()


if scenario == "split-port":
    login()
    l = listener()
    p = l.getsockname()[1]
    text = ("PORT " + port_args(p) + "\r\n").encode()
    retr_active([text[:9], text[9:]], l)
elif scenario == "lprt":
    login()
    l = listener()
    p = l.getsockname()[1]
    retr_active("LPRT 4,4," + ",".join(me.split(".")) + ",2,%d,%d" % (p >> 8, p & 255), l)
elif scenario == "lpsv":
    login()
    r = cmd("lpsv")  # lowercase on purpose
    n = [int(x) for x in r[r.index("(") + 1:r.rindex(")")].split(",")]
    a, p = ".".join(map(str, n[2:6])), n[7] * 256 + n[8]
    retr_passive(socket.create_connection((a, p), timeout=15), "retr")
elif scenario == "pasv-lowercase":
    login()
    retr_passive(passive("pasv"), "retr")
elif scenario == "epsv-all":
    login()
    cmd("EPSV ALL")
    cmd("PORT " + port_args(40000))
    r = cmd("EPSV")
    p = int(r[r.index("(") + 1:r.rindex(")")].strip("|"))
    retr_passive(socket.create_connection((host, p), timeout=15))
elif scenario == "verbs":
    # the verbs the ALG relays untouched but must pair with their replies: REST+RETR (resume),
    # NLST, LIST, MLSD, and the uploads APPE/STOU (a read-only server refuses them; the refusal
    # must still reach the client, and no data channel stay open)
    login()
    conn = passive()
    cmd("REST 1000")
    retr_passive(conn, label="sha256-from-1000")
    for verb in ("NLST", "LIST", "MLSD"):
        conn = passive()
        r = cmd(verb)
        listing = b""
        if r.startswith("1"):
            listing = receive_all(conn)
            reply()
        conn.close()
        print("listing", verb, listing.decode("latin-1").replace("\r\n", "|"), flush=True)
    for verb in ("APPE up.bin", "STOU"):
        conn = passive()
        r = cmd(verb)
        if r.startswith("1"):
            conn.sendall(b"x" * 100)
            conn.close()
            reply()
        conn.close()
elif scenario == "pipeline":
    login()
    send(("NOOP\r\nPORT 10,10,10,99,195,80\r\nSYST\r\nPWD\r\n").encode())
    for _ in range(4):
        reply()
elif scenario == "abor":
    login()
    retr_passive(passive())
    # RFC 959's abort: Telnet IP, then the Synch (IAC, then DM as urgent data), then ABOR
    send(b"\xff\xf4\xff")
    s.send(b"\xf2", socket.MSG_OOB)
    send(b"ABOR\r\n")
    s.settimeout(5)
    try:
        reply()
    except socket.timeout:
        print("NO REPLY TO ABOR", flush=True)
    s.settimeout(15)
    cmd("NOOP")
elif scenario == "abor-mid":
    # abort a running download: read a little, send ABOR, close the data socket. Plain ABOR: the
    # Telnet IP/Synch form is scenario "abor" (pure-ftpd does not always answer it, a server's
    # choice the ALG must relay, not a timing to test here). How many replies come back depends on how far the transfer had got when the ABOR
    # arrived (RFC 959: 426 to the RETR then 226 to the ABOR, or only 226 if the transfer ended;
    # some servers send a 226 more), so the replies are read until the ABOR's own (225/226) and,
    # after the NOOP, until the NOOP's 200: every line is printed and the test checks their order.
    login()
    a, p = addr_from_227(cmd("PASV")) if ":" not in host else (host, None)
    conn = socket.create_connection((a, p), timeout=15)
    cmd("RETR " + name)
    got = 0
    while got < 65536:
        got += len(conn.recv(65536))
    print("read", got, flush=True)
    send(b"ABOR\r\n")
    conn.close()
    s.settimeout(10)
    try:
        for _ in range(4):
            if reply()[:3] in ("225", "226"):
                break
    except socket.timeout:
        print("NO REPLY TO ABOR", flush=True)
    s.settimeout(15)
    send(b"NOOP\r\n")
    for _ in range(4):
        if reply()[:3] == "200":
            break
elif scenario == "bounce":
    login()
    cmd("PORT 10,10,10,99,195,80")
    cmd("EPRT |1|192.168.10.115|21|")
    cmd("PORT " + port_args(21))
    cmd("LPRT 4,4,10,10,10,99,2,195,80")
    cmd("NOOP")
elif scenario == "hold-pasv":
    login()
    cmd("PASV")
    time.sleep(float(name))
elif scenario == "pasv-then-go":
    # PASV, then the data connection only once the file sys.argv[7] exists (the test applies
    # policies meanwhile): the channel stays pending across them. Bounded wait.
    login()
    r = cmd("PASV")
    deadline = time.time() + 60
    while not __import__("os").path.exists(sys.argv[7]) and time.time() < deadline:
        time.sleep(0.05)
    conn = socket.create_connection(addr_from_227(r), timeout=15)
    retr_passive(conn)
elif scenario == "controls":
    # a rule's controls (strict, deny_commands, mask_banner): a command before login, the
    # banner and SYST, denied verbs, a second PASV while one is pending, then the download
    reply()
    cmd("CWD /")
    r = cmd("USER " + user)
    if r.startswith("331"):
        cmd("PASS " + password)
    cmd("TYPE I")
    cmd("SYST")
    cmd("SITE HELP")
    cmd("DELE one.bin")
    conn = passive()
    cmd("PASV")
    try:
        retr_passive(conn)
    except OSError as e:  # without strict the second PASV replaced the channel of the first
        print("data connection failed:", e, flush=True)
        conn.close()
        reply()
elif scenario == "upload":
    # STOR and APPE over passive channels, STOU over an active one, into the writable directory
    # NAME; prints the sha256 of what was sent for each resulting file
    login()
    a = bytes((i * 7 + 3) & 255 for i in range(200000))
    b = bytes((i * 13 + 1) & 255 for i in range(70000))
    for verb, data in (("STOR", a), ("APPE", b)):
        conn = passive()
        r = cmd(verb + " " + name + "/up.bin")
        if r.startswith("150") or r.startswith("125"):
            conn.sendall(data)
            conn.close()
            reply()
    print("sent-sha256 up.bin", hashlib.sha256(a + b).hexdigest(), flush=True)
    l = listener()
    cmd("PORT " + port_args(l.getsockname()[1]))
    r = cmd("STOU " + name + "/unique.bin")
    if r.startswith("150") or r.startswith("125"):
        c, _ = l.accept()
        c.sendall(b)
        c.close()
        reply()
    l.close()
    print("sent-sha256 stou", hashlib.sha256(b).hexdigest(), flush=True)
else:
    raise SystemExit("unknown scenario " + scenario)
cmd("QUIT")
