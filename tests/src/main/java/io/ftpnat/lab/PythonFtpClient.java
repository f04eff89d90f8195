package io.ftpnat.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Python's ftplib, driven by a short script: PORT/EPRT with {@code set_pasv(False)} (ftplib picks
 * PORT for IPv4, EPRT for IPv6), PASV/EPSV with {@code set_pasv(True)}; on IPv4 it trusts the 227
 * address (by default ftplib would silently use the control connection's peer instead, and the
 * test would not see whether the router rewrote it). Every line sent and received is printed.
 */
public final class PythonFtpClient implements FtpClient {
    static final String SCRIPT = """
            import ftplib, socket, sys
            host, port, user, pw, mode, outdir, do_list, timeout = sys.argv[1:9]
            files = sys.argv[9:]
            class Logged(ftplib.FTP):
                def putline(self, line):
                    print("> " + line, flush=True)
                    super().putline(line)
                def getmultiline(self):
                    r = super().getmultiline()
                    for l in r.split("\\n"):
                        print("< " + l, flush=True)
                    return r
                def makepasv(self):
                    if mode == "EPSV" and self.af == socket.AF_INET:
                        h, p = ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
                        return h, p
                    return super().makepasv()
                def makeport(self):
                    if mode == "EPRT" and self.af == socket.AF_INET:
                        sock = socket.create_server(("", 0), family=self.af, backlog=1)
                        h = self.sock.getsockname()[0]
                        self.sendeprt(h, sock.getsockname()[1])
                        if self.timeout is not ftplib._GLOBAL_DEFAULT_TIMEOUT:
                            sock.settimeout(self.timeout)
                        return sock
                    return super().makeport()
            f = Logged(timeout=float(timeout))
            f.trust_server_pasv_ipv4_address = True
            f.connect(host, int(port))
            f.login(user, pw)
            f.set_pasv(mode in ("PASV", "EPSV"))
            for name in files:
                with open(outdir + "/" + name, "wb") as out:
                    f.retrbinary("RETR " + name, out.write)
            if do_list == "1":
                lines = []
                f.retrlines("LIST", lines.append)
                print("LISTING-BEGIN")
                for l in lines:
                    print(l)
                print("LISTING-END")
            f.quit()
            """;

    private final Namespace ns;

    public PythonFtpClient(Namespace ns) { this.ns = ns; }

    public static String python() { return Cmd.onPath("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

    @Override
    public String name() { return "python-ftplib"; }

    @Override
    public ClientRun run(FtpJob job, Path dir) {
        List<String> argv = new ArrayList<>(List.of(python(), "-c", SCRIPT, job.host(), Integer.toString(job.port()),
                job.user(), job.password(), job.mode().name(), dir.toString(), job.list() ? "1" : "0",
                Long.toString(Math.max(5, job.timeout().toSeconds() / 2))));
        argv.addAll(job.files());
        Cmd.Result r = ns.exec(job.timeout().plusSeconds(5), argv.toArray(String[]::new));
        List<String> transcript = r.out().lines().filter(l -> l.startsWith("> ") || l.startsWith("< ")).toList();
        String out = r.out();
        String listing = "";
        int b = out.indexOf("LISTING-BEGIN\n"), e = out.indexOf("LISTING-END");
        if (b >= 0 && e > b) listing = out.substring(b + "LISTING-BEGIN\n".length(), e);
        return new ClientRun(name(), job, r.exit(), r.timedOut(), transcript, FtpClient.hashes(job, dir), listing,
                r.out() + r.err());
    }
}
