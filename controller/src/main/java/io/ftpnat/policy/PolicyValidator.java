package io.ftpnat.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that need the whole policy: unique names, and no two rules that claim the same flow
 * (which would leave which one applies to the order of rules in the kernel).
 */
final class PolicyValidator {
    private PolicyValidator() {
    }

    static List<PolicyProblem> validate(Policy policy) {
        List<PolicyProblem> problems = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < policy.snat().size(); i++) {
            SnatRule r = policy.snat().get(i);
            String previous = names.putIfAbsent(r.name(), "snat[" + i + "]");
            if (previous != null) {
                problems.add(new PolicyProblem(r.location(), "snat[" + i + "].name", "'" + r.name() + "' is already the name of " + previous));
            }
        }
        for (int i = 0; i < policy.dnat().size(); i++) {
            DnatRule r = policy.dnat().get(i);
            String previous = names.putIfAbsent(r.name(), "dnat[" + i + "]");
            if (previous != null) {
                problems.add(new PolicyProblem(r.location(), "dnat[" + i + "].name", "'" + r.name() + "' is already the name of " + previous));
            }
        }

        List<SnatRule> snat = policy.snat();
        for (int i = 0; i < snat.size(); i++) {
            for (int j = 0; j < i; j++) {
                SnatRule a = snat.get(j);
                SnatRule b = snat.get(i);
                if (a.outInterface().equals(b.outInterface()) && a.source().overlaps(b.source())) {
                    problems.add(new PolicyProblem(b.location(), "snat[" + i + "].source", b.source() + " overlaps " + a.source()
                            + " of rule '" + a.name() + "' (snat[" + j + "], line " + a.location().line() + ") on out_interface "
                            + a.outInterface() + ": which rule applies would be ambiguous"));
                }
            }
        }

        List<DnatRule> dnat = policy.dnat();
        for (int i = 0; i < dnat.size(); i++) {
            for (int j = 0; j < i; j++) {
                DnatRule a = dnat.get(j);
                DnatRule b = dnat.get(i);
                if (!a.inInterface().equals(b.inInterface()) || !a.destination().equals(b.destination())) {
                    continue;
                }
                String clash = portClash(a, b);
                if (clash != null) {
                    problems.add(new PolicyProblem(b.location(), "dnat[" + i + "]", clash + " of rule '" + a.name() + "' (dnat[" + j
                            + "], line " + a.location().line() + ") on " + a.inInterface() + " " + a.destinationText()
                            + ": the same packets would be forwarded to two servers"));
                }
            }
        }
        return problems;
    }

    private static String portClash(DnatRule a, DnatRule b) {
        if (a.port() == b.port()) {
            return "port " + b.port() + " is also the port";
        }
        if (a.passivePorts().isPresent() && a.passivePorts().get().contains(b.port())) {
            return "port " + b.port() + " lies in the passive_ports " + a.passivePorts().get();
        }
        if (b.passivePorts().isPresent() && b.passivePorts().get().contains(a.port())) {
            return "passive_ports " + b.passivePorts().get() + " contain the port " + a.port();
        }
        if (a.passivePorts().isPresent() && b.passivePorts().isPresent() && a.passivePorts().get().overlaps(b.passivePorts().get())) {
            return "passive_ports " + b.passivePorts().get() + " overlap the passive_ports " + a.passivePorts().get();
        }
        return null;
    }
}
