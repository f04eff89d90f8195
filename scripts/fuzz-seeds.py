#!/usr/bin/env python3
"""Writes the seed corpora of the controller's fuzz campaigns (docs/security-fuzz.md): valid
dialogues in each harness's input format, so the fuzzer starts from real FTP. Rerun after
changing a format: scripts/fuzz-seeds.py (the files are committed)."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'controller', 'src', 'test', 'resources', 'io', 'ftpnat', 'fuzz')


def segments(config, parts):
    """parts: (direction 0|1, bytes); split into segments of at most 127 bytes (Segments.java)."""
    out = bytearray([config])
    for d, b in parts:
        b = b.encode('latin-1') if isinstance(b, str) else b
        for i in range(0, max(len(b), 1), 127):
            chunk = b[i:i + 127]
            out.append(len(chunk) << 1 | d)
            out += chunk
    return bytes(out)


def write(harness, method, name, data):
    d = os.path.join(ROOT, harness + 'Inputs', method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


C, S = 0, 1
LOGIN = [(S, '220 ready\r\n'), (C, 'USER anonymous\r\n'), (S, '331 pw\r\n'), (C, 'PASS x\r\n'), (S, '230 in\r\n')]

# ---- alg: config bits 0-1 families, bit 2 logged in, bit 3 table refuses ----
alg = {
    'v4-session': (0, LOGIN + [(C, 'PASV\r\n'), (S, '227 Entering Passive Mode (192,168,10,115,195,80).\r\n'),
                               (C, 'RETR f\r\n'), (S, '150 ok\r\n'), (S, '226 done\r\n'), (C, 'PORT 10,10,10,2,195,81\r\n'),
                               (S, '200 ok\r\n'), (C, 'LIST\r\n'), (S, '150 x\r\n226 y\r\n'), (C, 'QUIT\r\n'), (S, '221 bye\r\n')]),
    'v6-epsv-eprt': (1 | 4, [(C, 'EPSV\r\n'), (S, '229 Entering Extended Passive Mode (|||50123|)\r\n'),
                             (C, 'EPRT |2|2001:db8:a::2|50124|\r\n'), (S, '200 ok\r\n'), (C, 'EPSV ALL\r\n'), (C, 'PORT 1,2,3,4,5,6\r\n')]),
    'mixed-v6-client': (2 | 4, [(C, 'EPSV\r\n'), (S, '227 Entering Passive Mode (192,168,10,115,195,80)\r\n'),
                                (C, 'EPRT |2|2001:db8:a::2|50000|\r\n'), (S, '200 ok\r\n')]),
    'mixed-v4-client': (3 | 4, [(C, 'PASV\r\n'), (S, '229 (|||40000|)\r\n'), (C, 'PORT 10,10,10,2,200,1\r\n'), (S, '200 PORT ok\r\n')]),
    'telnet': (4, [(C, 'NOOP\xff\xfb\nPORT 10,10,10,2,4,1\r\n'), (S, '200 ok\r\n'), (C, '\xff\xf4\xff\xf2ABOR\r\n'), (S, '226 x\r\n'),
                   (C, 'STAT\xff\xfa\x18\x01\n\xff\xf0\r\n'), (C, 'USER \xff\xff\r\n'), (S, '200 \xff\xfb\x01ok\r\n')]),
    'split': (4, [(C, 'PO'), (C, 'RT 10,10,10'), (C, ',2,195,80\r'), (C, '\n'), (S, '200 o'), (S, 'k\r\n'),
                  (C, 'PA'), (S, '22'), (C, 'SV\r\n'), (S, '7 (192,168,10,115,195,80)\r\n')]),
    'multiline': (4, [(C, 'PASV\r\n'), (S, '227-first\r\n'), (S, ' middle\r\n227 Entering Passive Mode (192,168,10,115,195,80)\r\n'),
                      (C, 'FEAT\r\n'), (S, '211-Features:\r\n EPSV\r\n211 End\r\n')]),
    'lprt-lpsv': (4, [(C, 'LPSV\r\n'), (S, '228 Entering Long Passive Mode (4,4,192,168,10,115,2,195,80)\r\n'),
                      (C, 'LPRT 4,4,10,10,10,2,2,195,80\r\n'), (S, '200 ok\r\n')]),
    'bounce-pipelined': (4, [(C, 'PORT 192,168,10,1,0,21\r\nPORT 10,10,10,2,0,21\r\nAUTH TLS\r\n'),
                             (C, 'NOOP\r\nNOOP\r\nPASV\r\n'), (S, '200 a\r\n200 b\r\n227 (192,168,10,115,195,80)\r\n')]),
    'overlong': (4, [(C, 'A' * 600 + '\r\n'), (C, 'NOOP\r\n'), (S, '200 ' + 'x' * 600 + '\r\n')]),
    'table-refuses': (4 | 8, [(C, 'PASV\r\n'), (S, '227 (192,168,10,115,195,80)\r\n'), (C, 'PORT 10,10,10,2,195,80\r\n'), (S, '200 ok\r\n')]),
    'bare-cr-nul': (4, [(C, 'NOOP\rPORT 10,10,10,2,4,1\r\n'), (C, 'CWD a\x00b\r\n'), (S, '250 ok\r\n'), (C, 'PORT\t10,10,10,2,4,1\r\n')]),
}
for name, (config, parts) in alg.items():
    write('AlgFuzzTest', 'segments', name, segments(config, parts))


# ---- observer: config bit 0 IPv6, bits 1-2 SNAT/DNAT, bit 3 conntrack entry late; segment = [flags|mode<<6][aux][extra] payload ----
def pkt(d, text, ctl=0x18, aux=0, extra=0):
    return (d, bytes([ctl, aux, extra]) + text.encode('latin-1'))


observer = {
    'v4-snat-foreign-227': (2, [pkt(S, '220 lab\r\n'), pkt(C, 'USER a\r\n'), pkt(S, '230 in\r\n'), pkt(C, 'PASV\r\n'),
                                pkt(S, '227 Entering Passive Mode (198,51,100,9,156,64).\r\n'), pkt(C, 'RETR f\r\n')]),
    'v4-plain-lprt': (0, [pkt(S, '220 lab\r\n'), pkt(C, 'LPRT 4,4,10,10,10,2,2,195,80\r\n'), pkt(S, '200 ok\r\n'),
                          pkt(C, 'LPSV\r\n'), pkt(S, '228 Entering Long Passive Mode (4,4,192,168,10,115,2,195,80)\r\n')]),
    'v6-dnat-epsv': (1 | 4, [pkt(S, '220 lab\r\n'), pkt(C, 'EPSV\r\n'), pkt(S, '229 Entering Extended Passive Mode (|||50123|)\r\n'),
                             pkt(C, 'EPRT |2|2001:db8:a::2|50124|\r\n'), pkt(S, '200 ok\r\n')]),
    'split-port': (2, [pkt(S, '220 lab\r\n'), pkt(C, 'PORT 10,10,'), pkt(C, '10,2,195,80\r\n'), pkt(S, '200 ok\r\n')]),
    'retransmit-gap': (2, [pkt(S, '220 lab\r\n'), pkt(C, 'PASV\r\n'), pkt(C, 'PASV\r\n', ctl=0x58, aux=6),
                           pkt(S, '227 (198,51,100,9,156,64)\r\n', ctl=0x98, aux=3), pkt(S, 'abc'), pkt(C, 'NOOP\r\n', extra=1, aux=2)]),
    'late-conntrack': (8 | 2, [pkt(S, '220 lab\r\n'), pkt(C, 'PASV\r\n'), pkt(S, '227 (198,51,100,9,156,64)\r\n'),
                               pkt(C, '', ctl=0x02, extra=4)]),
    'telnet-slipstream': (2, [pkt(C, 'GET / HTTP/1.1\r\nPORT 10,10,10,2,195,80\r\n'), pkt(C, 'NOOP\xff\xfb\nPORT 10,10,10,2,195,81\r\n'),
                              pkt(S, '227 (192,168,10,115,0,21)\r\n')]),
}
for name, (config, parts) in observer.items():
    write('ObserverFuzzTest', 'packets', name, segments(config, parts))

# ---- api: config bit 0 query role (not admin); segments are the client's bytes, direction ignored ----
api = {
    'requests': (0, [(C, '{"v":1,"id":1,"cmd":"status"}\n{"v":1,"id":"a","cmd":"list","args":{"n":3}}\n'),
                     (C, '{"cmd":"fail"}\n{"cmd":"boom","id":7}\n{"cmd":"apply"}\n')]),
    'errors': (1, [(C, 'not json\n{"v":2,"cmd":"status"}\n[1,2]\n{"cmd":5}\n{"cmd":"x","args":[]}\n{"id":{"a":1},"cmd":"status"}\n')]),
    'partial-and-split': (0, [(C, '{"v":1,"cmd":"st'), (C, 'atus"}\r\n\n\n{"cmd":"list","args":{"n":1000}}\n{"cmd":"echo","args":{"s":"\xc3\xa9\xff"}}')]),
    'too-long': (0, [(C, '{"cmd":"status","pad":"' + 'x' * 1100 + '"}\n{"cmd":"status"}\n')]),
    'invalid-utf8': (0, [(C, b'{"cmd":"echo","args":{"s":"\xc3\x28\xed\xa0\x80"}}\n{"cmd":"\xff"}\n')]),
}
for name, (config, parts) in api.items():
    write('ApiFuzzTest', 'requests', name, segments(config, parts))
print('seeds written under', os.path.normpath(ROOT))
