package io.ftpnat.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * User ids from /etc/passwd. The JDK reports a unix-socket peer as the name getpwuid(3) gave for
 * its uid (or the uid in decimal when it has no entry) and does not expose the uid itself; this
 * maps the name back the way getpwnam(3) does, so root is known by uid 0 whatever its name.
 */
public final class Accounts {
    private final Path passwd;

    public Accounts(Path passwd) {
        this.passwd = passwd;
    }

    public static Accounts system() {
        return new Accounts(Path.of("/etc/passwd"));
    }

    /** The uid of {@code user}; empty when neither an account name nor a decimal uid. */
    public OptionalInt uidOf(String user) {
        try (var lines = Files.lines(passwd)) {
            OptionalInt found = lines.map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 3 && f[0].equals(user))
                    .mapToInt(f -> parse(f[2]))
                    .filter(uid -> uid >= 0)
                    .findFirst();
            if (found.isPresent()) {
                return found;
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no passwd file: only a numeric name can be mapped
        }
        int numeric = user.matches("\\d{1,10}") ? parse(user) : -1;
        return numeric >= 0 ? OptionalInt.of(numeric) : OptionalInt.empty();
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
