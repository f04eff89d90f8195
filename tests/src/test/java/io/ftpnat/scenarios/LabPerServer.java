package io.ftpnat.scenarios;

import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * One reference lab per server kind for a test class, built on first use: the server on its
 * control port, the daemon running the given policy. Closed (namespaces deleted) after the class.
 */
final class LabPerServer implements AutoCloseable {
    private final Map<ServerKind, ReferenceLab> labs = new EnumMap<>(ServerKind.class);
    private final Path policy;
    private final int port;

    LabPerServer(Path policy, int port) {
        this.policy = policy;
        this.port = port;
    }

    ReferenceLab get(ServerKind kind) {
        LabAssumptions.assumeDaemon();
        LabAssumptions.assumeServer(kind);
        return labs.computeIfAbsent(kind, k -> {
            ReferenceLab ref = ReferenceLab.create();
            try {
                ref.startServer(k, port);
                ref.startDaemon(policy);
                return ref;
            } catch (RuntimeException e) {
                ref.close();
                throw e;
            }
        });
    }

    @Override
    public void close() {
        labs.values().forEach(ReferenceLab::close);
        labs.clear();
    }
}
