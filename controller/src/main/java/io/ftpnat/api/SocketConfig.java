package io.ftpnat.api;

import java.nio.file.Path;

/**
 * Where the API socket lives and who may use it. {@code group} (nullable: root only) owns the
 * socket file and may query; {@code adminGroup} (nullable: root only) may also change.
 */
public record SocketConfig(Path path, String group, String adminGroup, int maxClients, int maxLineBytes) {
    public static final Path DEFAULT_PATH = Path.of("/run/ftpnat/ftpnat.sock");
    public static final int DEFAULT_MAX_CLIENTS = 256;
    /** A request is a short JSON object, or a policy: 1 MiB holds any real one. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
}
