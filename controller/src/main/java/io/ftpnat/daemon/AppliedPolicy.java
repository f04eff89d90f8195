package io.ftpnat.daemon;

import io.ftpnat.policy.Policy;
import io.ftpnat.ruleset.Ruleset;
import java.time.Instant;

/** A policy that is in the kernel now: its model, its text, the ruleset it became, and when. */
public record AppliedPolicy(Policy policy, Ruleset ruleset, String text, Instant appliedAt) {
    public String describe() {
        return policy.snat().size() + " snat and " + policy.dnat().size() + " dnat rules, table inet " + ruleset.table()
                + ", digest " + ruleset.digest();
    }
}
