package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * What a router pair's new master does with a control connection conntrackd committed (docs/ha.md):
 * the kernel accepts a sequence adjustment on update of an entry created through ctnetlink, and
 * gives it back on a targeted GET; an entry never adjusted reads as none; a missing one is empty
 * on read and ENOENT on write.
 */
class SequenceAdjustmentsIntegrationTest {
    private static NetnsLab lab;
    private static NetworkNamespace netns;
    private static ConntrackClient client;
    static final Tuple CONTROL = Tuple.tcp("10.10.10.2", 40000, "192.168.10.115", 21);

    @BeforeAll
    static void setUp() throws Exception {
        NetnsLab.assumeRootLab();
        lab = new NetnsLab();
        String ns = lab.newNamespace("seqadj");
        // as conntrackd's commit creates it: through ctnetlink
        NetnsLab.exec(ns, "conntrack", "-I", "-s", "10.10.10.2", "-d", "192.168.10.115", "-p", "tcp", "--sport", "40000",
                "--dport", "21", "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED");
        netns = NetworkNamespace.enter(ns);
        client = ConntrackClient.open(netns);
    }

    @AfterAll
    static void tearDown() {
        if (client != null) {
            client.close();
        }
        if (netns != null) {
            netns.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aCommittedEntryTakesTheOldMastersAdjustmentAndGivesItBack() throws Exception {
        assertThat(SequenceAdjustmentRequests.read(client, CONTROL)).contains(SequenceAdjustments.NONE);
        // PORT 10,10,10,2,... rewritten to 192,168,10,114,...: +4 after the rewritten segment
        SequenceAdjustments old = new SequenceAdjustments(new SequenceAdjustment(3_000_000_123L, 0, 4),
                new SequenceAdjustment(17, -4, -8));
        SequenceAdjustmentRequests.write(client, CONTROL, old);
        assertThat(SequenceAdjustmentRequests.read(client, CONTROL)).contains(old);
        assertThat(client.get(CONTROL).orElseThrow().has(Status.SEQ_ADJUST)).isTrue();
    }

    @Test
    void aMissingConnectionIsEmptyOnReadAndEnoentOnWrite() throws Exception {
        Tuple missing = Tuple.tcp("10.10.10.2", 40001, "192.168.10.115", 21);
        assertThat(SequenceAdjustmentRequests.read(client, missing)).isEmpty();
        assertThatThrownBy(() -> SequenceAdjustmentRequests.write(client, missing, SequenceAdjustments.NONE))
                .isInstanceOf(NetlinkException.class)
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT));
    }
}
