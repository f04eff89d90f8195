package io.ftpnat.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The demo: the seed document's reference lab in namespaces, ftpnatd applying
 * docs/examples/reference-lab.yaml in the router, one active and one passive download, and the
 * story told the way the seed document tells it — every control message before the router (r0)
 * and after it (r1), the NAT mapping (conntrack -L), the expectation the helper set up
 * (conntrack -E expect), the data connection on both sides and the file's sha256.
 *
 * <p>Usage: {@code Demo [--captures DIR]} (pcap files of r0 and r1 are copied there; default
 * /tmp/ftpnat-demo-captures). Everything is torn down at the end, on failure too.
 */
public final class Demo {
    private final PrintStream out;

    public Demo(PrintStream out) { this.out = out; }

    public static void main(String[] args) throws Exception {
        Path captures = Path.of("/tmp/ftpnat-demo-captures");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--captures") && i + 1 < args.length) captures = Path.of(args[++i]);
        }
        int rc = 0;
        ReferenceLab ref = null;
        try {
            ref = ReferenceLab.create();
            rc = new Demo(System.out).run(ref, captures) ? 0 : 1;
        } catch (RuntimeException e) {
            PrintStream out = System.out;
            out.println("\nDEMO FAILED: " + e.getMessage());
            if (ref != null && ref.daemon() != null) out.println("--- ftpnatd log\n" + ref.daemon().log());
            rc = 1;
        } finally {
            String prefix = ref == null ? null : ref.lab().prefix();
            if (ref != null) ref.close();
            List<String> left = Cmd.run("ip", "netns", "list").out().lines()
                    .filter(l -> prefix != null && l.startsWith(prefix + "-")).toList();
            System.out.println(left.isEmpty() ? "\nLab torn down: namespaces, servers, daemon and captures are gone."
                    : "\nWARNING: namespaces left behind: " + left);
        }
        System.exit(rc);
    }

    /** Runs the demo in the lab (the caller closes it); true if both transfers arrived intact. */
    public boolean run(ReferenceLab ref, Path captures) throws IOException {
        NamespaceLab lab = ref.lab();
        out.println("""
                ftpnat demo — FTP through a Linux router's NAT with the kernel helper

                The reference lab of the seed document, built in three network namespaces:

                  client 10.10.10.2 ──(r0) router 10.10.10.1 | 192.168.10.114 (r1)── server 192.168.10.115
                         fd00:10::2            fd00:10::1    | fd00:192::114                fd00:192::115

                The router also runs its own stateful firewall (table inet labfw): forward policy drop,
                established/related accepted, new connections only to the FTP control ports. A data
                connection gets through only if the FTP helper expected it.
                """);
        out.println("namespaces: " + lab.client().name() + ", " + lab.router().name() + ", " + lab.server().name());
        FtpServer server = ref.startServer(ServerKind.VSFTPD, 21);
        out.println("server:     vsftpd on 192.168.10.115:21 (and [fd00:192::115]:21), serving one.bin and two.bin");
        Path policy = ProjectHome.example("reference-lab.yaml");
        ref.startDaemon(policy);
        out.println("router:     ftpnatd run --policy docs/examples/reference-lab.yaml  →  policy applied\n");
        out.println("The rules ftpnatd installed (nft list table inet ftpnat, rules only):");
        String table = ref.router().ftpnatTable();
        if (table != null) {
            table.lines().map(String::strip).filter(l -> l.contains("ct helper set") || l.contains(" dnat ")
                    || l.contains("masquerade")).forEach(l -> out.println("  " + l));
        }
        Files.createDirectories(captures);

        boolean ok = transfer(ref, server, captures, "active", DataMode.PORT, Topology.SERVER_V4, "one.bin", """
                1. Active mode (PORT) through SNAT — seed document 3.3
                   The server is public; the client, private, connects to the server's own address
                   192.168.10.115:21 and the router masquerades it as 192.168.10.114. The client tells
                   the server where to connect with PORT; the router must rewrite that address.""");
        ok &= transfer(ref, server, captures, "passive", DataMode.PASV, Topology.ROUTER_INSIDE_V4, "two.bin", """
                2. Passive mode (PASV) through DNAT — seed document 3.4
                   The server is private; the router publishes it as 10.10.10.1:21. The server answers
                   PASV with its own address; the router must rewrite the 227 reply.""");
        ok &= transfer(ref, server, captures, "ipv6-active", DataMode.EPRT, Topology.SERVER_V6, "one.bin", """
                3. IPv6: active mode (EPRT) through masquerade — seed document section 5
                   IPv6 has no PORT: the client sends EPRT |2|address|port|. The router masquerades
                   fd00:10::2 as fd00:192::114 and must rewrite the address inside EPRT.""");
        out.println("\npcap files (open with wireshark or tcpdump -r): " + captures);
        out.println(ok ? "\nAll three transfers arrived intact." : "\nA transfer FAILED (see above).");
        return ok;
    }

    private boolean transfer(ReferenceLab ref, FtpServer server, Path captures, String label, DataMode mode, String host,
                             String file, String title) throws IOException {
        out.println("\n" + "=".repeat(100) + "\n" + title + "\n" + "=".repeat(100));
        ref.router().flushConntrack();
        Path expLog = ref.lab().dir("demo").resolve(label + "-expect.log");
        ClientRun run;
        List<Pcap.Segment> r0, r1;
        List<ConntrackEntry> conntrack;
        try (BackgroundProcess expectWatch = ref.router().watchExpectations(expLog);
             PacketCapture c0 = ref.captureAtRouter(Topology.ROUTER_INSIDE_IF, label);
             PacketCapture c1 = ref.captureAtRouter(Topology.ROUTER_OUTSIDE_IF, label)) {
            run = ref.run(ref.curl(), FtpJob.download(server, host, mode, file));
            conntrack = ref.router().conntrack();
            r0 = c0.stop();
            r1 = c1.stop();
            expectWatch.close();
            Files.copy(c0.file(), captures.resolve(label + "-r0.pcap"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(c1.file(), captures.resolve(label + "-r1.pcap"), StandardCopyOption.REPLACE_EXISTING);
        }
        String flags = switch (mode) {
            case PORT -> "-P - --disable-eprt";
            case EPRT -> "-P -";
            case PASV -> "--disable-epsv";
            case EPSV -> "";
        };
        out.println("\nclient: curl " + flags + " ftp://" + (host.contains(":") ? "[" + host + "]" : host) + "/" + file);

        List<FtpDialogue> inside = FtpDialogue.from(r0, 21), outside = FtpDialogue.from(r1, 21);
        if (inside.isEmpty() || outside.isEmpty()) {
            out.println("no control connection captured on " + (inside.isEmpty() ? "r0" : "r1") + "\n" + run);
            return false;
        }
        FtpDialogue a = inside.get(0), b = outside.get(0);
        out.println("\nThe control connection, before and after the router:");
        out.println("  r0 (client side):  " + a.client() + " → " + a.server());
        out.println("  r1 (server side):  " + b.client() + " → " + b.server()
                + (a.server().equals(b.server()) ? "" : "   (DNAT: destination rewritten)")
                + (a.client().equals(b.client()) ? "" : "   (SNAT: source rewritten)"));
        out.println("\nEach control message as it crossed r0 and r1 ('>' client→server, '<' server→client):\n");
        out.printf("  %-3s %-52s %s%n", "#", "r0  client ↔ router", "r1  router ↔ server");
        int n = Math.max(a.messages().size(), b.messages().size());
        for (int i = 0; i < n; i++) {
            String x = i < a.messages().size() ? a.messages().get(i).toString() : "";
            String y = i < b.messages().size() ? b.messages().get(i).toString() : "";
            String mark = x.equals(y) ? "" : "   ← rewritten by the router (nf_nat_ftp)";
            out.printf("  %-3d %-52s %s%s%n", i + 1, clip(x, 52), y, mark);
        }
        explainRewrite(a, b, mode);

        out.println("\nThe expectation the helper created when it read that message (conntrack -E expect, router):");
        List<String> exp = Files.exists(expLog) ? Files.readAllLines(expLog) : List.of();
        if (exp.isEmpty()) out.println("  (none seen)");
        exp.stream().filter(l -> !l.startsWith("conntrack v")).forEach(l -> out.println("  " + l.strip()));

        out.println("\nThe NAT mappings in the router (conntrack -L, after the transfer):");
        for (ConntrackEntry e : conntrack) {
            if (!"tcp".equals(e.protocol()) || e.original() == null) continue;
            String what = (e.original().dport() == 21) ? "control" : "data   ";
            if (e.original().src().contains(":") != host.contains(":")) continue; // the other family
            out.println("  " + what + "  original " + e.original() + "   reply " + e.reply()
                    + (e.helper() != null ? "   helper=" + e.helper() : ""));
        }

        List<FtpDialogue.DataConnection> d0 = FtpDialogue.dataConnections(r0, 21), d1 = FtpDialogue.dataConnections(r1, 21);
        out.println("\nThe data connection (its first SYN on each side of the router):");
        d1.forEach(d -> out.println("  r1 (server side):  " + d));
        d0.forEach(d -> out.println("  r0 (client side):  " + d));
        if (d0.isEmpty() && d1.isEmpty()) out.println("  (none captured)");

        String got = run.sha256().get(file);
        String want = server.file(file).sha256();
        boolean ok = run.ok() && want.equals(got);
        out.println("\nThe file: " + file + ", " + server.file(file).size() + " bytes");
        out.println("  served   sha256 " + want);
        out.println("  received sha256 " + got + (ok ? "   ✓ identical" : "   ✗ DIFFERENT / MISSING"));
        if (!ok) out.println(run);
        return ok;
    }

    private void explainRewrite(FtpDialogue a, FtpDialogue b, DataMode mode) {
        if (mode == DataMode.EPRT) {
            out.println("\n  (The kernel writes the new address in full, fd00:0192:0000:…: a valid form of fd00:192::114.)");
        }
        if (mode.active()) {
            FtpAddress before = FtpAddress.parse(a.command(mode.name())), after = FtpAddress.parse(b.command(mode.name()));
            if (before != null && after != null) {
                out.println("\n  The client said: connect to me at " + before + " (its private address, unreachable from");
                out.println("  the server). The router changed it to " + after + ", its own outside address and a port it");
                out.println("  will translate back: the server connects from port 20 to " + after + ", and the router sends");
                out.println("  that connection on to " + before + ".");
            }
        } else {
            FtpAddress before = FtpAddress.parse(a.reply("227")), after = FtpAddress.parse(b.reply("227"));
            if (before != null && after != null) {
                out.println("\n  The server said: connect to me at " + after + " (its private address). The client saw");
                out.println("  " + before + " instead, the address it knows the router by; its connection there is");
                out.println("  translated by the router to " + after + ".");
            }
        }
    }

    private static String clip(String s, int w) { return s.length() <= w ? s : s.substring(0, w - 1) + "…"; }
}
