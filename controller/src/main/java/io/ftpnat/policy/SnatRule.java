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
        SourceLocation location,
        AlgControls controls) {

    /** A rule without ALG controls (every kernel rule, and proxy rules that name none). */
    public SnatRule(String name, IpPrefix source, String outInterface, SnatTarget to, Mode mode, List<Integer> controlPorts,
            SourceLocation location) {
        this(name, source, outInterface, to, mode, controlPorts, location, AlgControls.none());
    }

    public SnatRule {
        controlPorts = List.copyOf(controlPorts);
    }

    public IpFamily family() {
        return source.family();
    }
}
