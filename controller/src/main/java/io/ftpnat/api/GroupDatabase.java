package io.ftpnat.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Group membership from /etc/group. SO_PEERCRED gives the peer's user and primary group; a user
 * who is a supplementary member of the socket's group is found here.
 */
public final class GroupDatabase {
    private final Path file;

    public GroupDatabase(Path file) {
        this.file = file;
    }

    public static GroupDatabase system() {
        return new GroupDatabase(Path.of("/etc/group"));
    }

    public boolean isMember(String user, String primaryGroup, String group) {
        if (group.equals(primaryGroup)) {
            return true;
        }
        return members(group).map(list -> Arrays.asList(list).contains(user)).orElse(false);
    }

    public boolean exists(String group) {
        return members(group).isPresent();
    }

    private Optional<String[]> members(String group) {
        try (var lines = Files.lines(file)) {
            return lines.map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 4 && f[0].equals(group))
                    .findFirst()
                    .map(f -> f[3].isEmpty() ? new String[0] : f[3].split(","));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
