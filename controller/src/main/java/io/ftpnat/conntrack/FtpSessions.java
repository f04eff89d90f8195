package io.ftpnat.conntrack;

import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.DumpConsumer;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FTP sessions as the kernel tables show them: each control connection that has a helper, the
 * expectations it set up (the data channel it waits for) and the data connections that came of
 * them (entries whose master is the control connection). Only FTP-related entries are kept while
 * the table streams past, so a large table costs no memory here.
 */
public final class FtpSessions {
    private FtpSessions() {
    }

    /** A control connection and what the kernel links to it: the expectations it set up, the data connections that came. */
    public record KernelSession(Conntrack control, List<Expectation> expectations, List<Conntrack> data) {
    }

    public static List<KernelSession> read(ConntrackTables tables) throws NetlinkException {
        Map<Tuple, Conntrack> controls = new LinkedHashMap<>();
        Map<Tuple, List<Conntrack>> data = new LinkedHashMap<>();
        // only helper and expected connections: the kernel filters the dumps by status (ConntrackTables.dumpFtp)
        tables.dumpFtp(new DumpConsumer<>() {
            @Override
            public void accept(Conntrack c) {
                if (c.helper() != null && c.helper().startsWith("ftp")) {
                    controls.put(c.original(), c);
                }
                if (c.master() != null) {
                    data.computeIfAbsent(c.master(), k -> new ArrayList<>()).add(c);
                }
            }

            @Override
            public void restart() {
                controls.clear();
                data.clear();
            }
        });
        Map<Tuple, List<Expectation>> expectations = new LinkedHashMap<>();
        tables.dumpExpectations(new DumpConsumer<>() {
            @Override
            public void accept(Expectation e) {
                expectations.computeIfAbsent(e.master(), k -> new ArrayList<>()).add(e);
            }

            @Override
            public void restart() {
                expectations.clear();
            }
        });
        List<KernelSession> sessions = new ArrayList<>(controls.size());
        for (Conntrack control : controls.values()) {
            sessions.add(new KernelSession(control,
                    List.copyOf(expectations.getOrDefault(control.original(), List.of())),
                    List.copyOf(data.getOrDefault(control.original(), List.of()))));
        }
        return sessions;
    }
}
