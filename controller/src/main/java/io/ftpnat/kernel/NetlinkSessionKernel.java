package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.ConntrackClient;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;

/**
 * The session model's kernel verbs over ctnetlink, in the daemon's namespace. One socket, reused
 * (the model calls under its lock, so never concurrently); reopened after a failure.
 */
public final class NetlinkSessionKernel implements SessionKernel, AutoCloseable {
    /** Opens the socket (the daemon's namespace; a fake kernel's transport in tests). */
    public interface Opener {
        ConntrackClient open() throws NetlinkException;
    }

    private final Opener opener;
    private final OwnWriters own;
    private ConntrackClient client;

    /** The daemon's: the conntrack monitor does not hear of the expectations this socket writes. */
    NetlinkSessionKernel(OwnWriters own) {
        this(ConntrackClient::open, own);
    }

    public NetlinkSessionKernel(Opener opener) {
        this(opener, new OwnWriters("expectations"));
    }

    NetlinkSessionKernel(Opener opener, OwnWriters own) {
        this.opener = opener;
        this.own = own;
    }

    private synchronized ConntrackClient client() throws NetlinkException {
        if (client == null) {
            client = opener.open();
            own.opened(client.portId());
        }
        return client;
    }

    private interface Call {
        void run(ConntrackClient c) throws NetlinkException;
    }

    private synchronized void call(Call call) throws NetlinkException {
        try {
            call.run(client());
        } catch (NetlinkException e) {
            if (e.errno() == 0) {
                close(); // the socket itself failed (not the kernel refusing a request): start afresh
            }
            throw e;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void dumpConntrack(DumpConsumer<Conntrack> consumer) throws NetlinkException {
        // only helper and expected connections: the kernel filters the dump by status (FtpScope)
        call(c -> io.ftpnat.nativ.netlink.conntrack.FtpScope.dump(c, consumer));
    }

    @Override
    public void dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException {
        call(c -> c.dumpExpectations(0, consumer));
    }

    @Override
    public void createExpectation(Expectation e) throws NetlinkException {
        call(c -> c.createExpectation(e));
    }

    @Override
    public void deleteExpectation(Tuple expected) throws NetlinkException {
        call(c -> c.deleteExpectation(expected, 0));
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            own.closing(client.portId());
            client.close();
            client = null;
        }
    }
}
