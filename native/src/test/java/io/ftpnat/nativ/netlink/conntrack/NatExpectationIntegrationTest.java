package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;

/**
 * The brief's case 2 end to end, through a real router namespace: a server behind DNAT answers
 * PASV with an address that is not its own, so nf_conntrack_ftp records no expectation and the
 * router's stateful forward policy drops the data connection. An expectation we create on the
 * router (master = the control connection, NAT by {@code nat-follow-master} to the master's peer)
 * lets the data connection through as RELATED and translated to the server.
 *
 * <pre>client 198.18.0.2 --(c0|r0) router 198.18.0.1 / 10.0.0.1 (r1|s0)-- server 10.0.0.2
 *        connects to 198.18.0.1:21, DNAT → 10.0.0.2:21, ct helper ftp, forward policy drop</pre>
 */
class NatExpectationIntegrationTest {
    private static final int DATA_PORT = 45555;

    private static final class Proc implements AutoCloseable {
        final Process p;
        final Writer in;
        final BlockingQueue<String> lines = new ArrayBlockingQueue<>(64);

        Proc(NetnsLab lab, String ns, String... cmd) throws Exception {
            p = lab.spawnWithOutput(ns, cmd);
            in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII);
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.offer(l);
                    }
                } catch (Exception ignored) {
                    // process ended
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String next() throws InterruptedException {
            String l = lines.poll(10, TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("no output from " + p.info().commandLine().orElse("process"));
            }
            return l;
        }

        String send(String line) throws Exception {
            in.write(line + "\n");
            in.flush();
            return next();
        }

        @Override
        public void close() {
            p.destroy();
        }
    }

    @Test
    void ourExpectationWithNatRescuesAPassiveTransferTheHelperIgnored() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        try (NetnsLab lab = new NetnsLab()) {
            String c = lab.newNamespace("natc");
            String r = lab.newNamespace("natr");
            String s = lab.newNamespace("nats");
            String id = r.substring(r.lastIndexOf('-') + 1);
            String c0 = "nlc" + id;
            String r0 = "nlr0" + id;
            String r1 = "nlr1" + id;
            String s0 = "nls" + id;
            NetnsLab.sh("ip", "link", "add", c0, "netns", c, "type", "veth", "peer", "name", r0, "netns", r);
            NetnsLab.sh("ip", "link", "add", s0, "netns", s, "type", "veth", "peer", "name", r1, "netns", r);
            NetnsLab.sh("ip", "-n", c, "addr", "add", "198.18.0.2/24", "dev", c0);
            NetnsLab.sh("ip", "-n", c, "link", "set", c0, "up");
            NetnsLab.sh("ip", "-n", r, "addr", "add", "198.18.0.1/24", "dev", r0);
            NetnsLab.sh("ip", "-n", r, "addr", "add", "10.0.0.1/24", "dev", r1);
            NetnsLab.sh("ip", "-n", r, "link", "set", r0, "up");
            NetnsLab.sh("ip", "-n", r, "link", "set", r1, "up");
            NetnsLab.sh("ip", "-n", s, "addr", "add", "10.0.0.2/24", "dev", s0);
            NetnsLab.sh("ip", "-n", s, "link", "set", s0, "up");
            NetnsLab.sh("ip", "-n", s, "route", "add", "default", "via", "10.0.0.1");
            NetnsLab.exec(r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Path rules = Files.createTempFile("ftpnat-nl-nat", ".nft");
            Files.writeString(rules, """
                    table ip lab {
                      ct helper ftp { type "ftp" protocol tcp; }
                      chain pre { type nat hook prerouting priority -100; ip daddr 198.18.0.1 tcp dport 21 dnat to 10.0.0.2; }
                      chain post { type nat hook postrouting priority 100; }
                      chain helpers { type filter hook prerouting priority 0; tcp dport 21 ct helper set "ftp"; }
                      chain filter_fw { type filter hook forward priority 0; policy drop;
                        ct state established,related accept
                        ct state new tcp dport 21 accept
                      }
                    }
                    """);
            NetnsLab.exec(r, "nft", "-f", rules.toString());
            Files.delete(rules);
            Path script = Files.createTempFile("pasv_lab", ".py");
            try (var res = getClass().getResourceAsStream("/netlink/pasv_lab.py")) {
                Files.write(script, res.readAllBytes());
            }
            try (Proc server = new Proc(lab, s, "python3", script.toString(), "server", "10.0.0.2", "198.51.100.9",
                    String.valueOf(DATA_PORT));
                 NetworkNamespace router = NetworkNamespace.enter(r);
                 ConntrackClient ct = ConntrackClient.open(router)) {
                assertThat(server.next()).isEqualTo("listening");
                try (Proc client = new Proc(lab, c, "python3", script.toString(), "client", "198.18.0.1")) {
                    assertThat(client.next()).isEqualTo("pasv " + DATA_PORT);
                    Conntrack control = ct.list(ConntrackFilter.all()).stream()
                            .filter(x -> x.original().dstPort() == 21).findFirst().orElseThrow();
                    assertThat(control.helper()).isEqualTo("ftp");
                    assertThat(control.reply().src()).isEqualTo(IpAddress.parse("10.0.0.2")); // DNAT
                    // the helper did not trust 198.51.100.9: no expectation, the data connection is dropped
                    assertThat(ct.listExpectations()).isEmpty();
                    assertThat(client.send("connect 1.5")).isEqualTo("data-failed");

                    Tuple expected = Tuple.tcp("198.18.0.2", 0, "198.18.0.1", DATA_PORT);
                    ct.createExpectation(Expectation.create(control.original(), expected, 60)
                            .withNat(ExpectationNat.to(Direction.ORIGINAL, Tuple.TCP, IpAddress.parse("10.0.0.2"), DATA_PORT)));
                    assertThat(ct.getExpectation(expected, 0)).isPresent();

                    assertThat(client.send("connect 5")).isEqualTo("data-ok");
                    Conntrack data = ct.list(ConntrackFilter.all()).stream()
                            .filter(x -> x.original().dstPort() == DATA_PORT && x.master() != null).findFirst().orElseThrow();
                    assertThat(data.master()).isEqualTo(control.original());
                    assertThat(data.original().dst()).isEqualTo(IpAddress.parse("198.18.0.1"));
                    assertThat(data.reply().src()).as("translated to the server").isEqualTo(IpAddress.parse("10.0.0.2"));
                    assertThat(data.reply().srcPort()).isEqualTo(DATA_PORT);
                    assertThat(data.has(Status.DST_NAT)).isTrue();
                    assertThat(ct.getExpectation(expected, 0)).as("used up").isEmpty();
                    client.in.write("quit\n");
                    client.in.flush();
                }
            } finally {
                Files.deleteIfExists(script);
            }
        }
    }
}
