package io.ftpnat.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The interfaces a policy names that do not exist (yet) where it is applied. Not an error: nftables
 * matches interface names ({@code iifname}/{@code oifname}), not indexes, so a rule naming a
 * {@code ppp0} that comes up after the daemon starts to match the moment it appears. The daemon
 * starts anyway and says which rules wait for which interface (docs/router.md, "no interface").
 */
public final class MissingInterfaces {
    private MissingInterfaces() {
    }

    /** One sentence per missing interface, naming the rule and field, e.g. {@code snat[0] (lan): out_interface ppp0}. */
    public static List<String> of(Policy policy, InterfaceCatalog here) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < policy.snat().size(); i++) {
            SnatRule r = policy.snat().get(i);
            add(out, "snat[" + i + "] (" + r.name() + "): out_interface", r.outInterface(), here);
        }
        for (int i = 0; i < policy.dnat().size(); i++) {
            DnatRule r = policy.dnat().get(i);
            add(out, "dnat[" + i + "] (" + r.name() + "): in_interface", r.inInterface(), here);
        }
        return out;
    }

    private static void add(List<String> out, String where, String name, InterfaceCatalog here) {
        if (name != null && !here.exists(name)) {
            out.add(where + " '" + name + "' does not exist yet; the rule applies once it appears");
        }
    }
}
