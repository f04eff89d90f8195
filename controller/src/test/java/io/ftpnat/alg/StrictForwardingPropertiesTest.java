package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.IAC;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.assertCanonicalCommand;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.canonical;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.referenceClean;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.show;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.splitAtLf;
import static io.ftpnat.alg.AlgForwardingPropertiesTest.verb;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.AlgControls;
import io.ftpnat.policy.PortRange;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@code strict: true} and {@code deny_commands: [SITE, DELE]} against a server that splits lines
 * at every LF (vsftpd, proftpd) and answers each command as a well-behaved server would: for
 * random client streams (login or not, Telnet sequences, control bytes, data commands, denied
 * verbs) cut into random segments, every line the server parses is the command the ALG approved
 * for the client's line at that place — same verb (the ALG's own form for PORT/PASV and their
 * kin), same argument — and nothing strict refuses gets through: no command but the login's before
 * the server's 230, no denied verb, no second data command while a channel is pending.
 */
class StrictForwardingPropertiesTest {
    static final Set<String> DENIED = Set.of("SITE", "DELE");
    static final Set<String> DATA = Set.of("PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV");
    static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");

    @net.jqwik.api.lifecycle.BeforeContainer
    static void quiet() {
        AlgForwardingPropertiesTest.quiet();
    }

    @net.jqwik.api.lifecycle.AfterContainer
    static void loud() {
        AlgForwardingPropertiesTest.loud();
    }

    /** The server: what it parsed, in order, and its state as it saw the dialogue. */
    static final class Server {
        final List<String> parsed = new ArrayList<>();
        boolean loggedIn;
        boolean channelPending;
        final List<String> violations = new ArrayList<>();

        /** The server's answers to one line it parsed, as a well-behaved server gives them. */
        List<String> answer(String line) {
            parsed.add(line);
            String verb = verb(line);
            if (!loggedIn && !StrictInspection.BEFORE_LOGIN.contains(verb)) {
                violations.add("before login: " + line);
            }
            if (DENIED.contains(verb)) {
                violations.add("denied: " + line);
            }
            if (DATA.contains(verb)) {
                if (channelPending) {
                    violations.add("second data command: " + line);
                }
                channelPending = true;
                return List.of(verb.equals("PASV") ? "227 Entering Passive Mode (192,168,10,115,156,64)."
                        : verb.equals("EPSV") ? "229 Entering Extended Passive Mode (|||40000|)" : "200 PORT command successful.");
            }
            if (TRANSFERS.contains(verb)) {
                channelPending = false;
                return List.of("150 Here it comes.", "226 Transfer complete.");
            }
            return switch (verb) {
                case "USER" -> List.of("331 Please specify the password.");
                case "PASS" -> {
                    loggedIn = true;
                    yield List.of("230 Login successful.");
                }
                case "QUIT" -> List.of("221 Goodbye.");
                default -> List.of("200 ok");
            };
        }
    }

    @Property(tries = 1000, seed = "20261201")
    void strictNeverForwardsALineTheServerParsesAsAnotherCommand(@ForAll("clientStreams") byte[] stream,
            @ForAll @IntRange(min = 1, max = 64) int cut, @ForAll long seed) {
        List<String> toClient = new ArrayList<>();
        List<String> toServer = new ArrayList<>();
        SessionAddresses at = new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000), ControlDialogueTest.PUBLISHED,
                Addresses.socket(ControlDialogueTest.SERVER, 21), Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333));
        ControlDialogue d = new ControlDialogue(1, at, new FakeDataChannelTable(), new PortAllocator(new PortRange(50000, 50003),
                new Random(3)), new AtomicLong(), toClient::add, toServer::add, Clock.systemUTC(), new AlgControls(true, DENIED, true));
        d.fromServer(new TelnetLineReader.Line("220 (vsFTPd 3.0.3)"));
        Server server = new Server();
        TelnetLineReader reader = new TelnetLineReader(256);
        List<Boolean> forwarded = new ArrayList<>();
        Random random = new Random(seed);
        int pos = 0;
        while (pos < stream.length) {
            int n = Math.min(stream.length - pos, 1 + random.nextInt(cut));
            for (TelnetLineReader.Line l : reader.feed(stream, pos, n)) {
                int before = toServer.size();
                d.fromClient(l);
                forwarded.add(toServer.size() > before);
                // the server reads what was forwarded as it would (up to each LF) and answers at once
                for (byte[] raw : splitAtLf(String.join("", toServer.subList(before, toServer.size())).getBytes(StandardCharsets.ISO_8859_1))) {
                    for (String reply : server.answer(new String(raw, StandardCharsets.ISO_8859_1).replaceAll("\r$", ""))) {
                        d.fromServer(new TelnetLineReader.Line(reply));
                    }
                }
            }
            pos += n;
        }
        assertThat(server.violations).as("what strict and deny_commands refuse never reaches the server").isEmpty();
        assertThat(server.parsed).as("one server line per approved command, nothing between").hasSize(toServer.size());
        toServer.forEach(AlgForwardingPropertiesTest::assertCanonicalCommand);

        List<byte[]> rawLines = splitAtLf(stream);
        int k = 0;
        for (int i = 0; i < Math.min(rawLines.size(), forwarded.size()); i++) {
            if (!forwarded.get(i)) {
                continue;
            }
            Optional<String> reference = referenceClean(rawLines.get(i));
            assertThat(reference).as("a forwarded line is clean by the reference reading: %s", show(rawLines.get(i))).isPresent();
            String approved = reference.get();
            String atServer = server.parsed.get(k++);
            String clientVerb = verb(approved);
            String serverVerb = verb(atServer);
            switch (clientVerb) {
                case "PASV", "EPSV", "LPSV" -> assertThat(serverVerb).isEqualTo("PASV");
                case "PORT", "EPRT", "LPRT" -> assertThat(serverVerb).isEqualTo("PORT");
                default -> assertThat(atServer + "\r\n").as("the server parses the command the ALG approved").isEqualTo(canonical(approved));
            }
        }
        assertThat(k).isEqualTo(server.parsed.size());
    }

    @Provide
    Arbitrary<byte[]> clientStreams() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("USER ftp", "PASS x", "pass y", "FEAT", "SYST", "NOOP", "CWD /etc", "RETR a b", "site exec x", "DELE a",
                        "DeLe b", "PORT 10,10,10,2,195,80", "PORT 10,10,10,99,195,80", "EPRT |1|10.10.10.2|50000|", "PASV", "EPSV",
                        "EPSV ALL", "LIST", "STOR x", "AUTH TLS", " ", "", "P0RT x", "QUIT"),
                Arbitraries.of("\r\n", "\r\n", "\n", "\r", "\u0000", "\u007f", "\t"),
                Arbitraries.of(IAC + "\u00fb", IAC + "\u00fd", IAC + "\u00fa", IAC + IAC, IAC + "\u00f4", IAC + "\u00f2", IAC),
                Arbitraries.strings().withCharRange((char) 0, (char) 255).ofMaxLength(8));
        return pieces.list().ofMaxSize(40).map(list -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String p : list) {
                out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toByteArray();
        });
    }
}
