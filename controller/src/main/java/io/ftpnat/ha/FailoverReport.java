package io.ftpnat.ha;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * What ftpnatd corrected when this router became master: per FTP control connection the peer
 * described, whether the committed connection was found, its sequence adjustments written and its
 * expectation put back with NAT, or why not.
 */
public record FailoverReport(Instant at, long millis, int described, int found, int sequenceAdjusted,
                             int expectationsRestored, int missing, int withoutHelper, int refused, int errors,
                             List<String> details) {
    static final int MAX_DETAILS = 50;

    public ObjectNode json() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("at", at.toString());
        r.put("took_ms", millis);
        r.put("described_by_peer", described);
        r.put("found_committed", found);
        r.put("sequence_adjustments_written", sequenceAdjusted);
        r.put("expectations_restored_with_nat", expectationsRestored);
        r.put("missing", missing);
        r.put("without_ftp_helper", withoutHelper);
        r.put("refused_inconsistent", refused);
        r.put("errors", errors);
        var d = r.putArray("details");
        details.forEach(d::add);
        return r;
    }

    public String summary() {
        return "described " + described + ", found " + found + ", sequence adjustments written " + sequenceAdjusted
                + ", expectations restored with NAT " + expectationsRestored + ", missing " + missing + ", without helper "
                + withoutHelper + ", refused " + refused + ", errors " + errors + " (" + millis + " ms)";
    }
}
