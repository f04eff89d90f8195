package io.ftpnat.policy;

import java.util.List;

/**
 * Clients in {@code source} reach FTP servers out through {@code outInterface}; their control
 * connections to {@code controlPorts} get the FTP helper and their source is translated to
 * {@code to}. Active mode (PORT/EPRT) works through this rule: the helper rewrites the client's
 * address in the command and expects the server's connection back.
 */
public record SnatRule(
        String name,
        IpPrefix source,
        String outInterface,
        SnatTarget to,
        Mode mode,
        List<Integer> controlPorts,
        SourceLocation location) {
    public SnatRule {
        controlPorts = List.copyOf(controlPorts);
    }

    public IpFamily family() {
        return source.family();
    }
}
