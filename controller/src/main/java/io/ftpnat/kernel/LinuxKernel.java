package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.ruleset.RulesetRenderer;
import io.ftpnat.ruleset.NftWords;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Kernel} on this host's netlink and libnftables, in the daemon's network namespace. It owns
 * the daemon's one libnftables context and its one writer of run-time elements, which share a lock
 * so that an apply carries the live elements into the new table (see {@link NetlinkElements}).
 */
public final class LinuxKernel implements Kernel {
    private static final Logger log = LoggerFactory.getLogger(LinuxKernel.class);

    // the daemon's own writes do not wake its own listeners (OwnWriters)
    private final OwnWriters ownElements = new OwnWriters("elements");
    private final OwnWriters ownExpectations = new OwnWriters("expectations");
    private final NetlinkElements elements = new NetlinkElements(ownElements);
    private final NftablesKernelRuleset ruleset;
    private final NftDataChannels dataChannels;
    private final NftAdvertisedAddresses advertised;
    private final NetlinkSessionKernel sessions = new NetlinkSessionKernel(ownExpectations);
    private final NetlinkConntrackTables tables = new NetlinkConntrackTables(ownExpectations);
    private final NetlinkFtpFailoverKernel failover = new NetlinkFtpFailoverKernel();
    private final OriginalDestination originals = lazyOriginals();
    private final ControlPackets control = ControlPackets.nflog(RulesetRenderer.OBSERVE_GROUP, RulesetRenderer.OBSERVE_SNAPLEN);

    private LinuxKernel(String table) throws RulesetException {
        NftWords.table(table);
        this.ruleset = NftablesKernelRuleset.open(elements);
        this.dataChannels = new NftDataChannels(elements::apply, table);
        this.advertised = new NftAdvertisedAddresses(elements, table);
    }

    /** The daemon's kernel for its table {@code table}. */
    public static LinuxKernel open(String table) throws RulesetException {
        return new LinuxKernel(table);
    }

    @Override
    public KernelRuleset ruleset() {
        return ruleset;
    }

    @Override
    public DataChannels dataChannels() {
        return dataChannels;
    }

    @Override
    public AdvertisedAddresses advertised() {
        return advertised;
    }

    @Override
    public SessionKernel sessions() {
        return sessions;
    }

    @Override
    public ConntrackTables tables() {
        return tables;
    }

    @Override
    public OriginalDestination originals() {
        return originals;
    }

    @Override
    public ControlPackets control() {
        return control;
    }

    @Override
    public TableWatch watchTable(String table, TableWatch.Handler handler) throws io.ftpnat.nativ.netlink.NetlinkException {
        return TableWatch.start(table, handler, ownElements);
    }

    @Override
    public FtpFailoverKernel failover() {
        return failover;
    }

    @Override
    public SegmentHold hold(int queueNumber, int maxHeld) throws io.ftpnat.nativ.netlink.NetlinkException {
        return NfqueueSegmentHold.bind(queueNumber, maxHeld);
    }

    /** Run-time elements the apply would carry over now (metrics, tests). */
    public int liveElements() {
        return elements.size();
    }

    /** The conntrack socket is opened on the first diverted connection, not by daemons without proxy rules. */
    private static OriginalDestination lazyOriginals() {
        return new OriginalDestination() {
            private ConntrackOriginalDestination delegate;

            @Override
            public synchronized Optional<InetSocketAddress> lookup(InetSocketAddress local, InetSocketAddress remote) {
                if (delegate == null) {
                    try {
                        delegate = new ConntrackOriginalDestination(ConntrackClient.open());
                    } catch (NetlinkException e) {
                        log.error("proxy: cannot open conntrack: {}", e.getMessage());
                        return Optional.empty();
                    }
                }
                return delegate.lookup(local, remote);
            }
        };
    }

    @Override
    public void close() {
        sessions.close();
        failover.close();
        elements.close();
        ruleset.close();
    }
}
