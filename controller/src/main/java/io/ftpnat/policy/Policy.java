package io.ftpnat.policy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import java.util.List;

/** A validated policy: the flows whose FTP the router NATs, and how. */
public record Policy(int version, List<Integer> controlPorts, boolean repairPrivilegedPorts, List<SnatRule> snat, List<DnatRule> dnat, ProxySettings proxy,
        String source) {
    public static final int CURRENT_VERSION = 1;

    public Policy {
        controlPorts = List.copyOf(controlPorts);
        snat = List.copyOf(snat);
        dnat = List.copyOf(dnat);
    }

    /** True when some rule hands its control channel to the userspace ALG. */
    public boolean hasProxyRules() {
        return snat.stream().anyMatch(r -> r.mode() == Mode.PROXY) || dnat.stream().anyMatch(r -> r.mode() == Mode.PROXY);
    }

    public int ruleCount() {
        return snat.size() + dnat.size();
    }

    /**
     * The name of the {@code mode: kernel} rule that attached the helper to a control connection
     * from {@code client} to {@code destination}:{@code port} (the connection's original direction,
     * before any NAT): a DNAT rule publishing that address and port, else an SNAT rule whose source
     * holds the client and whose control ports hold the port. Empty when none does (a connection
     * of an earlier policy).
     */
    public java.util.Optional<String> kernelRuleFor(IpAddress client, IpAddress destination, int port) {
        for (DnatRule r : dnat) {
            if (r.mode() == Mode.KERNEL && r.destination().equals(destination) && r.port() == port) {
                return java.util.Optional.of(r.name());
            }
        }
        for (SnatRule r : snat) {
            if (r.mode() == Mode.KERNEL && r.source().contains(client) && r.controlPorts().contains(port)) {
                return java.util.Optional.of(r.name());
            }
        }
        return java.util.Optional.empty();
    }
}
