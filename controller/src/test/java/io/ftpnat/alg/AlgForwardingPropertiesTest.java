package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.PortRange;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The ALG against a server that splits lines as vsftpd does (at every LF, whatever precedes it):
 * for random streams of commands, Telnet sequences and control bytes, cut into random segments,
 * the server parses exactly the lines the ALG approved, each in canonical form, and a line the
 * ALG approved is one a reference reading of the raw bytes finds clean. And against a server that
 * sends anything: every line the client gets is canonical, and no 227/228/229 the client gets
 * names the server's address.
 */
class AlgForwardingPropertiesTest {
    static final String IAC = "\u00ff";
    /** Answered by the ALG itself or rewritten: their forwarded form is not the client's line. */
    static final Set<String> ALG_VERBS = Set.of("PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV", "AUTH");
    static final Pattern PASSIVE_REPLY = Pattern.compile("22[789][ -].*", Pattern.DOTALL);

    @net.jqwik.api.lifecycle.BeforeContainer
    static void quiet() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControlDialogue.class)).setLevel(ch.qos.logback.classic.Level.OFF);
    }

    @net.jqwik.api.lifecycle.AfterContainer
    static void loud() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControlDialogue.class)).setLevel(null);
    }

    record Setup(ControlDialogue dialogue, List<String> toClient, List<String> toServer, FakeDataChannelTable table) {
    }

    static Setup setup() {
        List<String> toClient = new ArrayList<>();
        List<String> toServer = new ArrayList<>();
        FakeDataChannelTable table = new FakeDataChannelTable();
        SessionAddresses at = new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000), ControlDialogueTest.PUBLISHED,
                Addresses.socket(ControlDialogueTest.SERVER, 21), Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333));
        ControlDialogue d = new ControlDialogue(1, at, table, new PortAllocator(new PortRange(50000, 50003), new Random(3)), new AtomicLong(),
                toClient::add, toServer::add, Clock.systemUTC());
        d.fromServer(new TelnetLineReader.Line("220 hi"));
        d.fromClient(new TelnetLineReader.Line("USER a"));
        d.fromServer(new TelnetLineReader.Line("230 in"));
        toClient.clear();
        toServer.clear();
        return new Setup(d, toClient, toServer, table);
    }

    @Property(tries = 1000, seed = "20261201")
    void theServerParsesExactlyTheLinesTheAlgApproved(@ForAll("clientStreams") byte[] stream, @ForAll @IntRange(min = 1, max = 64) int cut,
            @ForAll long seed) {
        Setup s = setup();
        TelnetLineReader reader = new TelnetLineReader(256);
        List<Boolean> forwarded = new ArrayList<>();
        Random random = new Random(seed);
        int pos = 0;
        while (pos < stream.length) {
            int n = Math.min(stream.length - pos, 1 + random.nextInt(cut));
            for (TelnetLineReader.Line l : reader.feed(stream, pos, n)) {
                int before = s.toServer().size();
                s.dialogue().fromClient(l);
                forwarded.add(s.toServer().size() > before);
                // the server answers at once, so the queue never fills
                for (int i = before; i < s.toServer().size(); i++) {
                    s.dialogue().fromServer(new TelnetLineReader.Line("200 ok"));
                }
            }
            pos += n;
        }
        List<byte[]> rawLines = splitAtLf(stream);
        int lastLf = -1;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] == '\n') {
                lastLf = i;
            }
        }
        if (stream.length - lastLf - 1 > 256 && forwarded.size() == rawLines.size() + 1) {
            // an unfinished line past the limit is refused when it crosses the limit, before any LF
            // (the reader never buffers it): that refusal has no line of the server's to pair with
            assertThat(forwarded.remove(forwarded.size() - 1)).as("an overlong line is never forwarded").isFalse();
        }
        assertThat(forwarded).as("the ALG and the server agree on where lines end").hasSize(rawLines.size());

        // what the server parses: the ALG's output split at every LF
        byte[] atServer = String.join("", s.toServer()).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> serverLines = splitAtLf(atServer);
        assertThat(serverLines).as("one server line per approved command, nothing between").hasSize(s.toServer().size());
        for (String wire : s.toServer()) {
            assertCanonicalCommand(wire);
        }
        int k = 0;
        for (int i = 0; i < rawLines.size(); i++) {
            Optional<String> reference = referenceClean(rawLines.get(i));
            if (!forwarded.get(i)) {
                continue;
            }
            assertThat(reference).as("a forwarded line is clean by the reference reading: %s", show(rawLines.get(i))).isPresent();
            String wire = s.toServer().get(k++);
            String verb = verb(reference.get());
            if (!ALG_VERBS.contains(verb)) {
                assertThat(wire).isEqualTo(canonical(reference.get()));
            }
        }
    }

    @Property(tries = 1000, seed = "20261201")
    void theClientGetsCanonicalRepliesAndNeverTheServersAddress(@ForAll("serverStreams") byte[] stream, @ForAll @IntRange(min = 1, max = 64) int cut,
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int pasvs) {
        Setup s = setup();
        for (int i = 0; i < pasvs; i++) {
            s.dialogue().fromClient(new TelnetLineReader.Line(i % 2 == 0 ? "PASV" : "NOOP"));
        }
        s.toClient().clear();
        TelnetLineReader reader = new TelnetLineReader(256);
        Random random = new Random(seed);
        int pos = 0;
        while (pos < stream.length) {
            int n = Math.min(stream.length - pos, 1 + random.nextInt(cut));
            for (TelnetLineReader.Line l : reader.feed(stream, pos, n)) {
                s.dialogue().fromServer(l);
            }
            pos += n;
        }
        for (String line : s.toClient()) {
            assertThat(line).endsWith("\r\n");
            String text = line.substring(0, line.length() - 2);
            assertNoControlsAndIacDoubled(text);
            assertThat(text).as("a client splits at LF: none inside").doesNotContain("\n");
            if (PASSIVE_REPLY.matcher(text).matches()) {
                assertThat(text).as("the server's own address never reaches the client in a passive reply").doesNotContain("192,168,10,115")
                        .doesNotContain("192,168,10,114");
            }
        }
        assertThat(s.table().history).allSatisfy(c -> assertThat(c.target()).isEqualTo(ControlDialogueTest.SERVER));
    }

    // ---- the reference reading, written apart from TelnetLineReader ----

    /** The line's text if a relay may forward it: Telnet commands of two bytes dropped, IAC IAC kept, nothing else. */
    static Optional<String> referenceClean(byte[] raw) {
        int len = raw.length;
        if (len > 0 && raw[len - 1] == '\r') {
            len--;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int b = raw[i] & 0xff;
            if (b == 0xff) {
                if (i + 1 >= len) {
                    return Optional.empty();
                }
                int c = raw[++i] & 0xff;
                if (c == 0xff) {
                    sb.append((char) 0xff);
                } else if (c < 241 || c > 249) {
                    return Optional.empty(); // negotiation, SB/SE, or no command
                }
            } else if (b < 0x20 || b == 0x7f) {
                return Optional.empty();
            } else {
                sb.append((char) b);
            }
        }
        return Optional.of(sb.toString());
    }

    static String verb(String text) {
        int sp = text.indexOf(' ');
        return (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
    }

    static String canonical(String text) {
        int sp = text.indexOf(' ');
        String rest = sp < 0 ? "" : text.substring(sp);
        return verb(text) + rest.replace(IAC, IAC + IAC) + "\r\n";
    }

    static void assertCanonicalCommand(String wire) {
        assertThat(wire).endsWith("\r\n");
        String text = wire.substring(0, wire.length() - 2);
        // DOTALL: a C1 byte such as 0x85 is no line end for a server, but regex '.' would stop there
        assertThat(text).matches(Pattern.compile("[A-Z]{1,8}( .*)?", Pattern.DOTALL));
        assertNoControlsAndIacDoubled(text);
    }

    static void assertNoControlsAndIacDoubled(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            assertThat(c < 0x20 || c == 0x7f).as("control byte %d in %s", (int) c, text).isFalse();
            if (c == 0xff) {
                assertThat(i + 1 < text.length() && text.charAt(i + 1) == 0xff).as("0xFF doubled in %s", text).isTrue();
                i++;
            }
        }
    }

    /** Complete lines as vsftpd reads them: up to each LF (the LF excluded); a tail without LF is no line. */
    static List<byte[]> splitAtLf(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                byte[] l = new byte[i - start];
                System.arraycopy(b, start, l, 0, l.length);
                out.add(l);
                start = i + 1;
            }
        }
        return out;
    }

    static String show(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int v = x & 0xff;
            sb.append(v >= 0x20 && v < 0x7f ? String.valueOf((char) v) : "<" + v + ">");
        }
        return sb.toString();
    }

    // ---- what attackers send ----

    @Provide
    Arbitrary<byte[]> clientStreams() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("NOOP", "noop", "RETR a b", "PORT 10,10,10,99,195,80", "PORT 10,10,10,2,195,80", "EPRT |1|10.10.10.99|80|",
                        "PASV", "EPSV ALL", "AUTH TLS", "CWD /x", "SITE EXEC x", " ", "", "P0RT x", "STOR \u00e9t\u00e9"),
                Arbitraries.of("\r\n", "\n", "\r", "\u0000", "\u0001", "\u007f", "\t"),
                Arbitraries.of(IAC + "\u00fb", IAC + "\u00fc", IAC + "\u00fd", IAC + "\u00fe", IAC + "\u00fa", IAC + "\u00f0", IAC + IAC, IAC + "\u00f4",
                        IAC + "\u00f2", IAC + "\u00f1", IAC, IAC + "A", "\u0018"),
                Arbitraries.strings().withCharRange((char) 0, (char) 255).ofMaxLength(12));
        return pieces.list().ofMaxSize(40).map(list -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String p : list) {
                out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toByteArray();
        });
    }

    @Provide
    Arbitrary<byte[]> serverStreams() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("227 Entering Passive Mode (192,168,10,115,156,64)", "229 Entering Extended Passive Mode (|||40000|)",
                        "228 (4,4,192,168,10,115,2,156,64)", "227 (192,168,10,114,1,2)", "227-x (192,168,10,115,1,2)", "227-", "230-Welcome",
                        "230 ok", "200 ok", "150 go (192,168,10,115,1,2)", "421 bye", " 227 (192,168,10,115,1,2)", "227 Logout.", "xyz"),
                Arbitraries.of("\r\n", "\n", "\r", "\u0000", "\u0001"),
                Arbitraries.of(IAC + "\u00fb", IAC + "\u00fa", IAC + "\u00f0", IAC + IAC, IAC + "\u00f4", IAC),
                Arbitraries.strings().withCharRange((char) 0, (char) 255).ofMaxLength(12));
        return pieces.list().ofMaxSize(40).map(list -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String p : list) {
                out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toByteArray();
        });
    }
}
