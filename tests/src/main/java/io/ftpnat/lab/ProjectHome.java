package io.ftpnat.lab;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root: where bin/ftpnatd and docs/examples live. */
public final class ProjectHome {
    private ProjectHome() {}

    public static Path get() {
        String prop = System.getProperty("ftpnat.home", System.getenv("FTPNAT_HOME"));
        if (prop != null) return Path.of(prop).toAbsolutePath().normalize();
        Path p = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) {
            if (Files.exists(p.resolve("bin/ftpnatd")) || Files.exists(p.resolve("docs/examples"))) return p;
        }
        throw new LabException("cannot find the ftpnat repository root: set -Dftpnat.home or FTPNAT_HOME");
    }

    public static Path ftpnatd() { return get().resolve("bin/ftpnatd"); }

    public static Path example(String name) { return get().resolve("docs/examples").resolve(name); }
}
