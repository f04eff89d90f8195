package io.ftpnat.fuzz;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ftpnat.alg.AlgFuzzRig;
import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.SessionAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Campaign "alg" (docs/security-fuzz.md): one proxied FTP control connection, both directions,
 * bytes as TCP delivers them (split at fuzzer-chosen points, client and server interleaved, Telnet
 * sequences, bare CR/LF, NUL, overlong lines) through the Telnet line readers into the ALG's
 * {@code ControlDialogue} ({@link AlgFuzzRig}; input format: {@link Segments}; configuration byte:
 * bits 0-1 the families, bit 2 a logged-in start, bit 3 a kernel table that refuses every element).
 *
 * <p>Always checked: no exception escapes; each line reader holds at most a line; at most one data
 * channel is installed, and each ever installed leads only to the session's client (active, port
 * 1024 or above) or its server (passive), keyed by the session's own peer; closing withdraws it and
 * frees its port; the bytes sent each way stay within a constant factor of the bytes received.
 *
 * <p>Checked once the ALG fixes are merged ({@link #POST_FIX}, {@code -Dftpnat.fuzz.postfix=true}),
 * counted and reported before: every entry sent to the server is one canonical line (printable
 * ASCII or UTF-8 bytes, CRLF at the end and nowhere else, no NUL, 0xFF only as IAC IAC); the
 * server, splitting the stream at LF and dropping Telnet sequences as vsftpd and proftpd do, sees
 * exactly the ALG's decisions, and any PORT/EPRT/LPRT it sees is the ALG's own rewrite.
 */
public class AlgFuzzTest {
    static final boolean POST_FIX = Boolean.getBoolean("ftpnat.fuzz.postfix");
    private static final CampaignReport REPORT = new CampaignReport();
    private static final java.util.regex.Pattern EPRT = java.util.regex.Pattern.compile("EPRT \\|[12]\\|[0-9a-fA-F:.]+\\|[0-9]+\\|");

    @FuzzTest
    void segments(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerInitialize() {
        CampaignReport.quietLogs();
    }

    public static void fuzzerTearDown() {
        REPORT.print();
    }

    public static void fuzzerTestOneInput(byte[] input) {
        Segments s = new Segments(input);
        int config = s.config();
        AlgFuzzRig rig = new AlgFuzzRig(AlgFuzzRig.Families.values()[config & 3], (config & 8) != 0);
        long[] in = new long[3]; // bytes from the client, from the server; line ends (LF) from the client
        boolean open = true;
        if ((config & 4) != 0) {
            open = feed(rig, false, "220 ready\r\n", in) && feed(rig, true, "USER a\r\n", in) && feed(rig, false, "230 in\r\n", in);
        }
        int[] seen = new int[3]; // channels, entries to the server, entries to the client already checked
        long[] out = new long[2]; // bytes to the server, to the client
        while (open && s.next()) {
            boolean fromClient = !s.fromSecond();
            in[fromClient ? 0 : 1] += s.length();
            if (fromClient) {
                in[2] += lineEnds(s.data(), s.offset(), s.length());
            }
            open = rig.feed(fromClient, s.data(), s.offset(), s.length());
            checkStep(rig, in, out, seen);
        }
        rig.close();
        require(rig.installed().isEmpty(), "a closed session left a data channel installed: " + rig.installed());
        require(rig.portsInUse() == 0, "a closed session kept " + rig.portsInUse() + " data ports");
        checkServerSees(rig);
    }

    private static boolean feed(AlgFuzzRig rig, boolean fromClient, String text, long[] in) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        in[fromClient ? 0 : 1] += b.length;
        if (fromClient) {
            in[2] += lineEnds(b, 0, b.length);
        }
        return rig.feed(fromClient, b, 0, b.length);
    }

    private static int lineEnds(byte[] d, int off, int len) {
        int n = 0;
        for (int i = off; i < off + len; i++) {
            if (d[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    /** After each segment: buffers, channels and output within their bounds (what was checked before is not checked again). */
    private static void checkStep(AlgFuzzRig rig, long[] in, long[] out, int[] seen) {
        require(rig.pendingBytes(true) <= AlgFuzzRig.MAX_LINE && rig.pendingBytes(false) <= AlgFuzzRig.MAX_LINE,
                "a line reader holds more than a line: " + rig.pendingBytes(true) + "/" + rig.pendingBytes(false));
        REPORT.max("ALG replies awaited (pending queue)", rig.awaitingReplies());
        Set<ChannelElement> installed = rig.installed();
        require(installed.size() <= 1, "more than one data channel installed: " + installed);
        List<ChannelElement> ever = rig.everInstalled();
        for (int i = seen[0]; i < ever.size(); i++) {
            checkChannel(rig.addresses(), ever.get(i));
        }
        seen[0] = ever.size();
        out[0] += bytes(rig.toServer(), seen, 1);
        out[1] += bytes(rig.toClient(), seen, 2);
        long toServer = out[0];
        long toClient = out[1];
        require(toServer <= 2 * in[0] + 64, "sent the server " + toServer + " bytes for " + in[0] + " from the client");
        // every client line may get an answer of the ALG's own (a refusal: at most ~60 bytes), as a
        // server answers every line; the reply goes back to that client only, so it amplifies nothing
        require(toClient <= 10 * (in[0] + in[1]) + 80 * in[2] + 64, "sent the client " + toClient + " bytes for " + (in[0] + in[1])
                + " received in " + in[2] + " client lines");
    }

    private static void checkChannel(SessionAddresses at, ChannelElement c) {
        boolean portOk = c.match().port() >= AlgFuzzRig.FIRST_DATA_PORT && c.match().port() <= AlgFuzzRig.LAST_DATA_PORT;
        if (c.kind() == ChannelElement.Kind.ACTIVE) {
            require(c.target().equals(at.clientAddress()) && c.targetPort() >= 1024 && c.match().source().equals(at.serverAddress())
                    && c.match().destination().equals(at.routerAddress()) && portOk, "active channel beyond the session's peers: " + c);
        } else {
            require(c.target().equals(at.serverAddress()) && c.targetPort() >= 1024 && c.match().source().equals(at.clientAddress())
                    && c.match().destination().equals(at.clientView()) && portOk, "passive channel beyond the session's peers: " + c);
        }
    }

    /** The post-fix invariants over everything the server received. */
    private static void checkServerSees(AlgFuzzRig rig) {
        StringBuilder stream = new StringBuilder();
        for (String sent : rig.toServer()) {
            if (!canonical(sent)) {
                postFix("every line to the server is canonical (CRLF once at the end, no NUL/CR/LF/control inside, IAC doubled)", sent);
            }
            stream.append(sent);
        }
        // the server's view: lines end at LF wherever it is (inside a Telnet option too)
        String[] lines = stream.toString().split("\n", -1);
        int decisions = rig.toServer().size();
        if (lines.length - 1 != decisions) {
            postFix("the server sees exactly one line per command the ALG approved", decisions + " approved, the server splits "
                    + (lines.length - 1) + ": " + stream);
        }
        IpAddress router = rig.addresses().routerAddress();
        for (int i = 0; i < lines.length - 1; i++) {
            String line = withoutTelnet(lines[i]);
            int end = 0;
            while (end < line.length() && " \t\r".indexOf(line.charAt(end)) < 0) {
                end++;
            }
            String verb = line.substring(0, end).toUpperCase(Locale.ROOT);
            if ((verb.equals("PORT") || verb.equals("EPRT") || verb.equals("LPRT")) && !rewrite(line, router)) {
                postFix("a PORT/EPRT/LPRT reaches the server only as the ALG's rewrite (router address, data port)", lines[i]);
            }
        }
    }

    private static boolean rewrite(String line, IpAddress router) {
        String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        String a = router.toString();
        for (int port = AlgFuzzRig.FIRST_DATA_PORT; port <= AlgFuzzRig.LAST_DATA_PORT; port++) {
            String expected = !router.v6()
                    ? "PORT " + a.replace('.', ',') + "," + (port >> 8) + "," + (port & 255)
                    : null;
            if (l.equals(expected) || EPRT.matcher(l).matches() && l.endsWith("|" + port + "|")) {
                return true;
            }
        }
        return false;
    }

    /** Telnet sequences removed as a server's NVT reader does (IAC IAC is 0xFF). */
    static String withoutTelnet(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != 0xff) {
                b.append(c);
            } else if (i + 1 < s.length() && s.charAt(i + 1) == 0xff) {
                b.append(c);
                i++;
            } else if (i + 1 < s.length() && s.charAt(i + 1) >= 251 && s.charAt(i + 1) <= 254) {
                i += 2;
            } else {
                i++;
            }
        }
        return b.toString();
    }

    static boolean canonical(String sent) {
        int n = sent.length();
        if (n < 2 || sent.charAt(n - 2) != '\r' || sent.charAt(n - 1) != '\n') {
            return false;
        }
        for (int i = 0; i < n - 2; i++) {
            char c = sent.charAt(i);
            if (c == 0xff) {
                if (i + 1 < n - 2 && sent.charAt(i + 1) == 0xff) {
                    i++;
                    continue;
                }
                return false;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of the entries after the first {@code seen[k]}; advances it. */
    private static long bytes(List<String> sent, int[] seen, int k) {
        long n = 0;
        for (int i = seen[k]; i < sent.size(); i++) {
            n += sent.get(i).length();
        }
        seen[k] = sent.size();
        return n;
    }

    private static void postFix(String invariant, String example) {
        if (POST_FIX) {
            throw new AssertionError(invariant + ": " + CampaignReport.escape(example));
        }
        REPORT.violation(invariant, example);
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
