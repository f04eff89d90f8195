# A server that accepts control connections and never says a word, nor reads one (AlgSmugglingTest:
# the ALG's queue of commands awaiting replies must stay bounded). Usage: alg_silent_server.py PORT
import socket, sys, time

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1])))
l.listen(64)
held = []
while True:
    c, _ = l.accept()
    held.append(c)
    held = held[-256:]
