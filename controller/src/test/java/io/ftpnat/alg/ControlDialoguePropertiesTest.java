package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.PortRange;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a client or a server sends, the dialogue neither throws nor hangs; every client line
 * is answered exactly once (by the server's reply or by ours), in order; no data channel ever
 * names a host but the session's client and server; closing leaves nothing in the kernel.
 * Lines are raw bytes through the same Telnet reader the sessions use (IAC, bare LF, overlong).
 */
class ControlDialoguePropertiesTest {
    static final int MAX_LINE = 256;

    /** Thousands of refused bounces would fill the build log; the properties check the behaviour. */
    @net.jqwik.api.lifecycle.BeforeContainer
    static void quiet() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControlDialogue.class)).setLevel(ch.qos.logback.classic.Level.OFF);
    }

    @net.jqwik.api.lifecycle.AfterContainer
    static void loud() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControlDialogue.class)).setLevel(null);
    }

    @Property(tries = 400, seed = "20261201")
    void everyClientLineIsAnsweredOnceAndNothingLeaks(@ForAll("clientStreams") List<byte[]> chunks, @ForAll("serverLines") List<String> noise) {
        FakeDataChannelTable table = new FakeDataChannelTable();
        List<String> toClient = new ArrayList<>();
        List<String> toServer = new ArrayList<>();
        PortAllocator ports = new PortAllocator(new PortRange(50000, 50003), new Random(7));
        SessionAddresses at = new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000), ControlDialogueTest.PUBLISHED,
                Addresses.socket(ControlDialogueTest.SERVER, 21), Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333));
        ControlDialogue d = new ControlDialogue(1, at, table, ports, new AtomicLong(), toClient::add, toServer::add, Clock.systemUTC());

        d.fromServer(line("220 ready"));
        d.fromClient(line("USER a"));
        d.fromServer(line("230 in"));
        int answeredBefore = toClient.size();
        int forwardedBefore = toServer.size();

        TelnetLineReader reader = new TelnetLineReader(MAX_LINE);
        int clientLines = 0;
        for (byte[] chunk : chunks) {
            for (TelnetLineReader.Line l : reader.feed(chunk, 0, chunk.length)) {
                clientLines++;
                d.fromClient(l);
            }
        }
        // the server answers every command it got, with random 227/229/228s among them
        int forwarded = toServer.size() - forwardedBefore;
        for (int i = 0; i < forwarded; i++) {
            String reply = i < noise.size() ? noise.get(i) : "200 ok";
            d.fromServer(line(reply.matches("[2-5]\\d\\d .*") ? reply : "200 ok"));
        }
        assertThat(toClient.size() - answeredBefore).as("one answer per client line").isEqualTo(clientLines);
        assertThat(table.history).allSatisfy(c -> {
            if (c.kind() == ChannelElement.Kind.ACTIVE) {
                assertThat(c.target()).isEqualTo(ControlDialogueTest.CLIENT);
                assertThat(c.targetPort()).isGreaterThanOrEqualTo(1024);
            } else {
                assertThat(c.target()).isEqualTo(ControlDialogueTest.SERVER);
                assertThat(c.match().source()).isEqualTo(ControlDialogueTest.CLIENT);
            }
        });
        assertThat(table.installed).hasSizeLessThanOrEqualTo(1);
        d.close();
        assertThat(table.installed).isEmpty();
        assertThat(ports.inUse()).isZero();
    }

    @Property(tries = 400, seed = "20261201")
    void arbitraryServerOutputNeverThrows(@ForAll("serverLines") List<String> lines, @ForAll("clientStreams") List<byte[]> chunks) {
        FakeDataChannelTable table = new FakeDataChannelTable();
        SessionAddresses at = new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000), ControlDialogueTest.SERVER,
                Addresses.socket(ControlDialogueTest.SERVER, 21), Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333));
        PortAllocator ports = new PortAllocator(new PortRange(50000, 50003), new Random(7));
        ControlDialogue d = new ControlDialogue(1, at, table, ports, new AtomicLong(), s -> { }, s -> { }, Clock.systemUTC());
        TelnetLineReader client = new TelnetLineReader(MAX_LINE);
        TelnetLineReader server = new TelnetLineReader(MAX_LINE);
        for (int i = 0; i < Math.max(lines.size(), chunks.size()); i++) {
            if (i < chunks.size()) {
                client.feed(chunks.get(i), 0, chunks.get(i).length).forEach(d::fromClient);
            }
            if (i < lines.size()) {
                byte[] b = (lines.get(i) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                server.feed(b, 0, b.length).forEach(d::fromServer);
            }
        }
        d.close();
        assertThat(table.installed).isEmpty();
        assertThat(ports.inUse()).isZero();
    }

    static TelnetLineReader.Line line(String text) {
        return new TelnetLineReader.Line(text);
    }

    @Provide
    Arbitrary<List<byte[]>> clientStreams() {
        Arbitrary<String> commands = Arbitraries.oneOf(
                Arbitraries.of("PORT 10,10,10,2,195,80", "PORT 10,10,10,99,195,80", "PORT 10,10,10,2,0,21", "PORT 1,2,3", "port 10,10,10,2,300,1",
                        "EPRT |1|10.10.10.2|50000|", "EPRT !2!fd00::2!5!", "EPRT |1|10.10.10.2|", "LPRT 4,4,10,10,10,2,2,195,80",
                        "LPRT 6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,1,1", "PASV", "epsv", "EPSV ALL", "LPSV", "RETR x", "LIST", "NOOP",
                        "ABOR", "QUIT", "", " ", "PORT", "EPRT"),
                Arbitraries.strings().ofMaxLength(300).map(s -> s.replace("\n", "")),
                Arbitraries.strings().withChars("PORTEPSVLA0123456789,|.: ").ofMaxLength(40));
        Arbitrary<byte[]> stream = commands.list().ofMaxSize(12).map(list -> {
            StringBuilder sb = new StringBuilder();
            for (String c : list) {
                sb.append(c).append("\r\n");
            }
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        });
        Arbitrary<byte[]> telnet = Arbitraries.bytes().list().ofMaxSize(20).map(l -> {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = l.get(i);
            }
            return b;
        });
        return Arbitraries.oneOf(stream, telnet).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<String>> serverLines() {
        return Arbitraries.oneOf(
                Arbitraries.of("227 Entering Passive Mode (192,168,10,115,156,64)", "227 (198,51,100,9,156,64)", "227 =1,2,3,4,0,1",
                        "227 Logout.", "229 (|||40000|)", "229 (!!!7!)", "229 ()", "228 (4,4,192,168,10,115,2,156,64)",
                        "228 (6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,1,1)", "150 go", "226 done", "421 bye", "230-multi", "230 end",
                        "200 ok", "500 no", "xyz", ""),
                Arbitraries.strings().ofMaxLength(120).map(s -> s.replace("\n", "").replace("\r", ""))).list().ofMaxSize(16);
    }
}
