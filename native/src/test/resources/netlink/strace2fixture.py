#!/usr/bin/env python3
"""Turn `strace -xx -e read=FD -e write=FD` output into a golden-byte fixture.

Fixture format (text, one syscall buffer per line):
    # free-form comment lines
    > hex   bytes the program sent to the kernel (sendto/sendmsg)
    < hex   bytes the kernel returned (recvmsg/recvfrom)
Usage: strace2fixture.py STRACE_OUTPUT COMMENT > fixture.txt
"""
import re
import sys

path, comment = sys.argv[1], sys.argv[2]
out = ["# " + comment]
cur_dir, cur = None, []
line_re = re.compile(r"^ \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)")


def flush():
    global cur_dir, cur
    if cur_dir and cur:
        out.append(cur_dir + " " + "".join(cur))
    cur_dir, cur = None, []


pid_prefix = re.compile(r"^\d+ ")
for line in open(path):
    line = pid_prefix.sub("", line, count=1)
    if line.startswith(("sendto(", "sendmsg(")):
        flush()
        cur_dir = ">"
    elif line.startswith(("recvmsg(", "recvfrom(")):
        flush()
        cur_dir = "<"
    elif line.startswith(" | "):
        m = line_re.match(line)
        if m and cur_dir:
            cur.append(m.group(1).replace(" ", ""))
    elif line.startswith(" * "):
        continue
    else:
        flush()
flush()
print("\n".join(out))
