package io.ftpnat.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * lftp: one session, {@code get} per file and {@code cls} for the listing; {@code -d} prints the
 * control dialogue ("---> " sent, "<--- " received). TLS, address "fixing" and retries are off so
 * the client uses exactly what the server (through the router) told it.
 */
public final class LftpClient implements FtpClient {
    private final Namespace ns;

    public LftpClient(Namespace ns) { this.ns = ns; }

    @Override
    public String name() { return "lftp"; }

    @Override
    public ClientRun run(FtpJob job, Path dir) {
        List<String> script = new ArrayList<>(List.of(
                "set ftp:ssl-allow no", "set net:timeout 5", "set net:max-retries 1", "set net:reconnect-interval-base 1",
                "set ftp:fix-pasv-address no", "set ftp:ignore-pasv-address no",
                "set ftp:passive-mode " + (job.mode().active() ? "off" : "on"),
                "set ftp:prefer-epsv " + (job.mode() == DataMode.EPSV ? "yes" : "no"),
                "set xfer:clobber yes",
                "open -u " + job.user() + "," + job.password() + " ftp://" + job.authority()));
        for (String f : job.files()) script.add("get " + f + " -o " + dir.resolve(f));
        if (job.list()) script.add("cls -1");
        Cmd.Result r = ns.exec(job.timeout().plusSeconds(5), "timeout", Long.toString(job.timeout().toSeconds()),
                "lftp", "-d", "-c", String.join("; ", script));
        List<String> transcript = new ArrayList<>();
        for (String l : (r.err() + "\n" + r.out()).split("\n")) {
            String t = l.strip();
            if (t.startsWith("---> ")) transcript.add("> " + t.substring(5));
            else if (t.startsWith("<--- ")) transcript.add("< " + t.substring(5));
        }
        String listing = String.join("\n", r.out().lines().filter(l -> !l.startsWith("---") && !l.startsWith("<---")
                && !l.startsWith("+++") && !l.startsWith("**** ")).toList());
        return new ClientRun(name(), job, r.timedOut() || r.exit() == 124 ? -1 : r.exit(), r.timedOut() || r.exit() == 124,
                transcript, FtpClient.hashes(job, dir), listing, r.out() + r.err());
    }
}
