package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustmentRequests;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.Optional;

/** {@link FtpFailoverKernel} over ctnetlink, one socket reused under a lock, reopened after a socket failure. */
public final class NetlinkFtpFailoverKernel implements FtpFailoverKernel, AutoCloseable {
    private ConntrackClient client;

    private interface Call<T> {
        T run(ConntrackClient c) throws NetlinkException;
    }

    private synchronized <T> T call(Call<T> call) throws NetlinkException {
        try {
            if (client == null) {
                client = ConntrackClient.open();
            }
            return call.run(client);
        } catch (NetlinkException e) {
            if (e.errno() == 0) {
                close();
            }
            throw e;
        }
    }

    @Override
    public Optional<Conntrack> connection(Tuple master) throws NetlinkException {
        return call(c -> c.get(master));
    }

    @Override
    public Optional<SequenceAdjustments> sequenceAdjustments(Tuple master) throws NetlinkException {
        return call(c -> SequenceAdjustmentRequests.read(c, master));
    }

    @Override
    public void writeSequenceAdjustments(Tuple master, SequenceAdjustments adjustments) throws NetlinkException {
        call(c -> {
            SequenceAdjustmentRequests.write(c, master, adjustments);
            return null;
        });
    }

    @Override
    public void replaceExpectation(Expectation e) throws NetlinkException {
        call(c -> {
            try {
                c.deleteExpectation(e.tuple(), e.zone());
            } catch (NetlinkException gone) {
                if (gone.errno() != Errno.ENOENT) {
                    throw gone;
                }
            }
            c.createExpectation(e);
            return null;
        });
    }

    @Override
    public java.util.List<Expectation> expectations() throws NetlinkException {
        return call(ConntrackClient::listExpectations);
    }

    @Override
    public java.util.List<Tuple> ftpControlConnections() throws NetlinkException {
        java.util.List<Tuple> out = new java.util.ArrayList<>();
        call(c -> c.dump(io.ftpnat.nativ.netlink.conntrack.ConntrackFilter.all(), new io.ftpnat.nativ.netlink.conntrack.DumpConsumer<>() {
            @Override
            public void accept(Conntrack ct) {
                if ("ftp".equals(ct.helper()) && ct.master() == null) {
                    out.add(ct.original());
                }
            }

            @Override
            public void restart() {
                out.clear();
            }
        }));
        return out;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public ConntrackTables.EventStream subscribeExpectations() throws NetlinkException {
        io.ftpnat.nativ.netlink.conntrack.ConntrackEvents events = io.ftpnat.nativ.netlink.conntrack.ConntrackEvents.subscribe(
                java.util.EnumSet.of(io.ftpnat.nativ.netlink.conntrack.ConntrackEvents.Group.EXP_NEW,
                        io.ftpnat.nativ.netlink.conntrack.ConntrackEvents.Group.EXP_DESTROY));
        return new ConntrackTables.EventStream() {
            @Override
            public int poll(io.ftpnat.nativ.netlink.conntrack.EventHandler handler, int timeoutMillis) throws NetlinkException {
                return events.poll(handler, timeoutMillis);
            }

            @Override
            public void close() {
                events.close();
            }
        };
    }
}
