package io.ftpnat.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * curl: one invocation, one control connection reused for every URL. Mode flags: PORT =
 * {@code -P - --disable-eprt}; EPRT = {@code -P -}; PASV = {@code --disable-epsv}; EPSV = the
 * default passive. {@code -v} shows the control dialogue ("> " sent, "< " received).
 */
public final class CurlClient implements FtpClient {
    private final Namespace ns;

    public CurlClient(Namespace ns) { this.ns = ns; }

    @Override
    public String name() { return "curl"; }

    @Override
    public ClientRun run(FtpJob job, Path dir) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", Long.toString(job.timeout().toSeconds()),
                "--connect-timeout", "5", "-u", job.user() + ":" + job.password()));
        switch (job.mode()) {
            case PORT -> argv.addAll(List.of("-P", "-", "--disable-eprt"));
            case EPRT -> argv.addAll(List.of("-P", "-"));
            case PASV -> argv.add("--disable-epsv");
            case EPSV -> argv.add("--ftp-pasv");
        }
        String base = "ftp://" + job.authority() + "/";
        for (String f : job.files()) argv.addAll(List.of(base + f, "-o", dir.resolve(f).toString()));
        Path listing = dir.resolve("listing.txt");
        if (job.list()) argv.addAll(List.of(base, "-o", listing.toString()));
        Cmd.Result r = ns.exec(job.timeout().plusSeconds(5), argv.toArray(String[]::new));
        List<String> transcript = r.err().lines().filter(l -> l.startsWith("> ") || l.startsWith("< "))
                .map(String::stripTrailing).toList();
        String list = "";
        try {
            if (job.list() && Files.exists(listing)) list = Files.readString(listing);
        } catch (java.io.IOException ignored) {
            // no listing
        }
        return new ClientRun(name(), job, r.exit(), r.timedOut(), transcript, FtpClient.hashes(job, dir), list,
                r.out() + r.err());
    }
}
