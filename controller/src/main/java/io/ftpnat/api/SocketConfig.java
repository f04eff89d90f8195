package io.ftpnat.api;

import java.nio.file.Path;

/**
 * Where the API socket lives and who may use it. {@code group} (nullable: root only) owns the
 * socket file and may query; {@code adminGroup} (nullable: root only) may also change.
 */
public record SocketConfig(Path path, String group, String adminGroup, int maxClients, int maxLineBytes) {
    public static final Path DEFAULT_PATH = Path.of("/run/ftpnat/ftpnat.sock");
    public static final int DEFAULT_MAX_CLIENTS = 256;
    /** Slots only root may take, so other users can never lock root out. */
    public static final int ROOT_RESERVED_CLIENTS = 16;
    /** Connections one user id (other than root) may hold at once. */
    public static final int MAX_CLIENTS_PER_USER = 32;
    /** A request is a short JSON object, or a policy: 1 MiB holds any real one (root and admins). */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    /** The query role's requests: a policy to check is a few KiB; 64 KiB is plenty. */
    public static final int QUERY_MAX_LINE_BYTES = 64 << 10;
    /** A request line must be complete this soon after its first byte. */
    public static final long PARTIAL_LINE_MILLIS = 10_000;
    /** A connection with no request in progress is closed after this long. */
    public static final long IDLE_MILLIS = 60_000;
}
