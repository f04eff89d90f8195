package io.ftpnat.policy;

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
}
