package io.ftpnat.nativ.netlink.conntrack;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/** The contract against the real kernel, each scenario in its own throw-away namespace. */
class KernelContractTest extends ConntrackContract {
    @Override
    Backend backend() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        NetnsLab lab = new NetnsLab();
        String ns = lab.newNamespace("contract");
        NetworkNamespace netns;
        try {
            NetnsLab.sh("ip", "-n", ns, "addr", "add", "192.0.2.1/32", "dev", "lo");
            NetnsLab.sh("ip", "-n", ns, "addr", "add", "192.0.2.2/32", "dev", "lo");
            NetnsLab.exec(ns, "nft", "add table inet lab; add ct helper inet lab ftp { type \"ftp\" protocol tcp; l3proto inet; }; "
                    + "add chain inet lab out { type filter hook output priority 0; }; add rule inet lab out tcp dport 21 ct helper set \"ftp\"");
            netns = NetworkNamespace.enter(ns);
        } catch (Exception e) {
            lab.close();
            throw e;
        }
        return new Backend() {
            final List<AutoCloseable> open = new ArrayList<>();
            ConntrackClient client;
            ConntrackEvents events;

            @Override
            public ConntrackClient client() throws Exception {
                if (client == null) {
                    client = ConntrackClient.open(netns);
                }
                return client;
            }

            @Override
            public ConntrackEvents events() throws Exception {
                if (events == null) {
                    events = ConntrackEvents.subscribe(netns, ConntrackEvents.ALL, 1 << 20);
                }
                return events;
            }

            @Override
            public void insert(Tuple t, int mark, int zone) throws Exception {
                NetnsLab.exec(ns, "conntrack", "-I", "-s", t.src().toString(), "-d", t.dst().toString(), "-p", "tcp",
                        "--sport", String.valueOf(t.srcPort()), "--dport", String.valueOf(t.dstPort()), "--state", "ESTABLISHED",
                        "-t", "300", "-u", "SEEN_REPLY", "-m", Integer.toUnsignedString(mark), "-w", String.valueOf(zone));
            }

            @Override
            public Tuple masterWithHelper() throws Exception {
                String script = Files.createTempFile("ftp_pair", ".py").toString();
                try (var in = KernelContractTest.class.getResourceAsStream("/netlink/ftp_pair.py")) {
                    Files.write(Path.of(script), in.readAllBytes());
                }
                Process p = lab.spawnWithOutput(ns, "python3", script, "192.0.2.1", "192.0.2.2", "40099", "30");
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
                String line = r.readLine(); // "ready" once the PORT went through the helper
                if (!"ready".equals(line)) {
                    throw new IllegalStateException("ftp_pair.py: " + line);
                }
                Files.deleteIfExists(Path.of(script));
                for (Conntrack c : client().list(ConntrackFilter.all())) {
                    if ("ftp".equals(c.helper()) && c.original().dstPort() == 21) {
                        return c.original();
                    }
                }
                throw new IllegalStateException("no control connection with the ftp helper");
            }

            @Override
            public void close() {
                if (client != null) {
                    client.close();
                }
                if (events != null) {
                    events.close();
                }
                netns.close();
                lab.close();
            }
        };
    }
}
