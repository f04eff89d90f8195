package io.ftpnat.session;

import io.ftpnat.kernel.SessionKernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel tables as a reconcile reads them, keeping only what concerns FTP while the dump
 * streams past (a large conntrack table costs no memory here). A dump the kernel restarts
 * (interrupted by changes) starts the maps over.
 */
final class KernelDumps {
    private KernelDumps() {
    }

    /** Control connections with the ftp helper by original tuple, and the data connections by master. */
    static void controls(SessionKernel kernel, Map<Tuple, Conntrack> controls, Map<Tuple, List<Conntrack>> data)
            throws NetlinkException {
        kernel.dumpConntrack(new DumpConsumer<>() {
            @Override
            public void accept(Conntrack c) {
                if (isControl(c)) {
                    controls.put(c.original(), c);
                } else if (c.master() != null) {
                    data.computeIfAbsent(c.master(), k -> new ArrayList<>(2)).add(c);
                }
            }

            @Override
            public void restart() {
                controls.clear();
                data.clear();
            }
        });
    }

    /** Fills {@code byMaster}; returns how many expectations the kernel holds in all. */
    static int expectations(SessionKernel kernel, Map<Tuple, List<Expectation>> byMaster) throws NetlinkException {
        int[] count = {0};
        kernel.dumpExpectations(new DumpConsumer<>() {
            @Override
            public void accept(Expectation e) {
                count[0]++;
                if (e.master() != null) {
                    byMaster.computeIfAbsent(e.master(), k -> new ArrayList<>(1)).add(e);
                }
            }

            @Override
            public void restart() {
                byMaster.clear();
                count[0] = 0;
            }
        });
        return count[0];
    }

    /** A control connection: it carries the ftp helper, and has been answered. */
    static boolean isControl(Conntrack c) {
        return c.helper() != null && c.helper().startsWith("ftp") && c.reply() != null;
    }
}
