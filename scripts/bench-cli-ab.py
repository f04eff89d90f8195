#!/usr/bin/env python3
"""A/B of two ftpnatctl builds on the CLI's own cost (start, parsing, copying), without a daemon's
noise: a stand-in daemon on a UNIX socket answers conntrack.count/status at once and streams
100,000 conntrack-format lines (17.5 MB) for any *.list. Each round runs every variant once, the
order flipped every round; round 0 is a warm-up; CPU is user+sys of the java process (rusage).
Also checks that every variant printed the same bytes and exit code.

Each variant's class-data-sharing archive is trained here, as the build does (io.ftpnat.cli.CdsTraining
with -XX:ArchiveClassesAtExit): an archive is only valid for the jar file it was written against
(path, size, time), so one copied from elsewhere would be silently ignored.

Usage: scripts/bench-cli-ab.py ROUNDS NAME=JAR[:JVMOPT,...] NAME=... -- ftpnatctl arguments
(the stand-in's socket is passed as --socket). Example, the previous commit against this one:
  git worktree add /tmp/base HEAD~1 && (cd /tmp/base && mvn -q -DskipTests package)
  scripts/bench-cli-ab.py 14 base=/tmp/base/controller/target/ftpnat.jar \
      new=controller/target/ftpnat.jar -- -o conntrack conntrack list
"""
import os, resource, socket, statistics, subprocess, sys, tempfile, threading, time, json

def stand_in(path):
    line = b'{"item":{"line":"tcp      6 431999 ESTABLISHED src=10.0.%d.%d dst=10.0.0.2 sport=%d dport=21 src=10.0.0.2 dst=10.0.0.1 sport=21 dport=%d [ASSURED] mark=0 use=1"}}\n'
    body = b''.join(line % (i // 256 % 256, i % 256, 1024 + i % 60000, 1024 + i % 60000) for i in range(100000))
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(64)

    def serve(c):
        with c:
            req = json.loads(c.makefile('rb').readline())
            head = b'{"v":1,"id":%d,"ok":true,' % req['id']
            if req['cmd'].endswith('.list'):
                c.sendall(head + b'"stream":"begin"}\n' + body + b'{"v":1,"id":%d,"end":true,"count":100000}\n' % req['id'])
            elif req['cmd'] == 'conntrack.count':
                c.sendall(head + b'"result":{"count":100000}}\n')
            else:
                c.sendall(head + b'"result":{"state":"ready","version":"x"}}\n')

    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def main():
    i = sys.argv.index('--')
    tmp = tempfile.mkdtemp()
    rounds = int(sys.argv[1])
    variants = []
    for v in sys.argv[2:i]:
        name, spec = v.split('=', 1)
        parts = spec.split(':') + ['']
        variants.append((name, parts[0], os.path.join(tmp, name + '.jsa'), [x for x in parts[1].split(',') if x]))
    for name, jar, jsa, opts in variants:
        t = subprocess.run(['java', '-XX:ArchiveClassesAtExit=' + jsa, '-Xlog:cds=off', '-Xlog:cds+dynamic=off',
                            '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', jar, 'io.ftpnat.cli.CdsTraining'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(jsa):
            sys.exit(f"{name}: the CDS training run wrote no archive (exit {t.returncode})")
    sock = os.path.join(tmp, 'ftpnat.sock')
    stand_in(sock)
    args = ['--socket', sock] + sys.argv[i + 1:]
    res = {v[0]: ([], []) for v in variants}
    outs = {}
    for r in range(rounds + 1):
        for name, jar, jsa, opts in (variants if r % 2 == 0 else variants[::-1]):
            cds = ['-XX:SharedArchiveFile=' + jsa, '-Xlog:cds=off', '-Xlog:cds+dynamic=off']
            cmd = ['java', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData'] + cds + opts + ['-cp', jar, 'io.ftpnat.cli.Ftpnatctl'] + args
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.monotonic()
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            wall = (time.monotonic() - t) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r > 0:
                res[name][0].append(wall)
                res[name][1].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
            outs.setdefault((p.stdout, p.stderr, p.returncode), set()).add(name)
    for name, (w, c) in res.items():
        print(f"{name}: CPU median {statistics.median(c):.0f} ms ({' '.join('%.0f' % x for x in c)}); wall median {statistics.median(w):.0f} ms")
    print("same output from every variant:", len(outs) == 1)

main()
