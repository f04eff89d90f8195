package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.KernelTransport;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.nftables.QueueRule;
import io.ftpnat.nativ.netlink.queue.NfqueuePacket;
import io.ftpnat.nativ.netlink.queue.NfqueueSocket;
import io.ftpnat.ruleset.TableObjects;
import java.util.function.Consumer;

/**
 * {@link SegmentHold} on nfnetlink_queue: one bound queue (bounded, fail open when full), and a
 * queueing rule with bypass written over nf_tables netlink into the table's {@link
 * TableObjects#HOLD_QUEUE} chain: nft_queue where the kernel has it, else the xtables NFQUEUE target
 * through nft_compat (found once, by trying nft_queue first).
 */
public final class NfqueueSegmentHold implements SegmentHold {
    /** Enough for the IP and TCP headers and a reply line (the daemon reads the NFLOG copy, not this one). */
    static final int COPY_RANGE = 1024;

    private final NfqueueSocket queue;
    private final int queueNumber;
    private final Object verdicts = new Object();
    private NetlinkConnection rules;
    private QueueRule.Kind kind;

    private NfqueueSegmentHold(NfqueueSocket queue, int queueNumber) {
        this.queue = queue;
        this.queueNumber = queueNumber;
    }

    /** Binds queue {@code queueNumber}: at most {@code maxHeld} packets held at once; beyond that the kernel lets them pass. */
    public static NfqueueSegmentHold bind(int queueNumber, int maxHeld) throws NetlinkException {
        return new NfqueueSegmentHold(NfqueueSocket.bind(queueNumber, COPY_RANGE, maxHeld), queueNumber);
    }

    @Override
    public synchronized void installInto(String table) throws NetlinkException {
        if (rules == null) {
            rules = new NetlinkConnection(KernelTransport.open(KernelTransport.NETLINK_NETFILTER));
        }
        if (kind == null) {
            try {
                QueueRule.append(rules, table, TableObjects.HOLD_QUEUE, queueNumber, QueueRule.Kind.NFT_QUEUE);
                kind = QueueRule.Kind.NFT_QUEUE;
                return;
            } catch (NetlinkException e) {
                kind = QueueRule.Kind.XT_NFQUEUE; // no nft_queue (CONFIG_NFT_QUEUE): the xtables target
            }
        }
        QueueRule.append(rules, table, TableObjects.HOLD_QUEUE, queueNumber, kind);
    }

    @Override
    public int awaitHeld(Consumer<Held> handler, int timeoutMillis) throws NetlinkException {
        return queue.poll((NfqueuePacket p) -> handler.accept(new Held(p.id(), p.hook(), p.payload())), timeoutMillis);
    }

    /** The queue's socket, for the thread that waits on it together with the NFLOG copies ({@link ControlPackets.Source#await}). */
    KernelTransport transport() {
        return (KernelTransport) queue.transport();
    }

    @Override
    public void release(long id) throws NetlinkException {
        synchronized (verdicts) {
            queue.verdict(id, NfqueueSocket.Verdict.ACCEPT);
        }
    }

    @Override
    public synchronized String mechanism() {
        return kind == null ? "not installed" : QueueRule.describe(queueNumber, kind);
    }

    @Override
    public long overflows() {
        return queue.lostCount();
    }

    @Override
    public synchronized void close() {
        queue.close();
        if (rules != null) {
            rules.close();
            rules = null;
        }
    }
}
