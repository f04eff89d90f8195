package io.ftpnat.lab;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real FTP client run in the lab's client namespace. */
public interface FtpClient {
    String name();

    /** Runs the job to completion (bounded by its timeout), downloading into {@code dir}. */
    ClientRun run(FtpJob job, Path dir);

    static Map<String, String> hashes(FtpJob job, Path dir) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : job.files()) m.put(f, ServedFile.sha256(dir.resolve(f)));
        return m;
    }
}
