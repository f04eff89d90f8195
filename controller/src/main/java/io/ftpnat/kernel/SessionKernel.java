package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;

/**
 * The session model's verbs for the kernel (ftp-proxy's filter.h in spirit): read the tables,
 * create and delete one expectation. The model depends on these, never on netlink; the daemon
 * implements them over ctnetlink, unit tests over {@code FakeConntrackKernel}.
 */
public interface SessionKernel {
    void dumpConntrack(DumpConsumer<Conntrack> consumer) throws NetlinkException;

    void dumpExpectations(DumpConsumer<Expectation> consumer) throws NetlinkException;

    void createExpectation(Expectation e) throws NetlinkException;

    void deleteExpectation(Tuple expected) throws NetlinkException;
}
