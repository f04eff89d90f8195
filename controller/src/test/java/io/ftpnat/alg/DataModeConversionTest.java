package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.AlgControls;
import io.ftpnat.policy.AlgControls.ServerDataMode;
import io.ftpnat.policy.PortRange;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code server_data_mode} with real sockets on loopback (client, router and server all 127.0.0.1):
 * the dialogue converts the client's mode, and bytes written by the "server" on its data
 * connection arrive at the "client" on its own, through the daemon's converted channel. The dialogue
 * is fed on a selector loop, as in the daemon: the converted channel runs on the session's loop.
 */
@Timeout(20)
class DataModeConversionTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    final List<String> client = new CopyOnWriteArrayList<>();
    final List<String> server = new CopyOnWriteArrayList<>();
    final FakeDataChannelTable table = new FakeDataChannelTable();
    SelectorLoop loop;

    @BeforeEach
    void loop() throws Exception {
        loop = new SelectorLoop("test-loop");
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    ControlDialogue loggedIn(ServerDataMode mode) {
        SessionAddresses at = new SessionAddresses(new InetSocketAddress(LO, 40000), IpAddress.of(LO), new InetSocketAddress(LO, 21),
                new InetSocketAddress(LO, 33333));
        ControlDialogue d = new ControlDialogue(1, at, table, new PortAllocator(new PortRange(47000, 47999), new Random(1)), new AtomicLong(),
                client::add, server::add, Clock.systemUTC(), new AlgControls(false, Set.of(), false, mode), () -> Duration.ofSeconds(5));
        line(d, false, "220 hi");
        line(d, true, "USER ftp");
        line(d, false, "230 ok");
        client.clear();
        server.clear();
        return d;
    }

    void line(ControlDialogue d, boolean fromClient, String text) {
        CompletableFuture.runAsync(() -> {
            if (fromClient) {
                d.fromClient(new TelnetLineReader.Line(text));
            } else {
                d.fromServer(new TelnetLineReader.Line(text));
            }
        }, loop::execute).join();
    }

    static int port(String text) {
        Matcher m = Pattern.compile("(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
    }

    static String readAll(Socket s) throws Exception {
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aPassiveClientReachesAServerAskedForActiveMode() throws Exception {
        ControlDialogue d = loggedIn(ServerDataMode.ACTIVE);
        line(d, true, "PASV");
        assertThat(server).singleElement().asString().startsWith("PORT 127,0,0,1,");
        int forServer = port(server.get(0));
        line(d, false, "200 PORT command successful.");
        assertThat(client).singleElement().asString().startsWith("227 Entering Passive Mode (127,0,0,1,");
        int forClient = port(client.get(0));
        assertThat(forClient).isNotEqualTo(forServer);
        try (Socket c = new Socket(LO, forClient); Socket s = new Socket(LO, forServer)) {
            s.getOutputStream().write("the file".getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            assertThat(readAll(c)).isEqualTo("the file");
        }
        assertThat(d.snapshot().decisions().converted()).isEqualTo(1);
        assertThat(d.snapshot().decisions().last()).isEqualTo("converted PASV to active towards the server");
        assertThat(table.history).as("the client view is the router's own: no kernel element").isEmpty();
    }

    @Test
    void anActiveClientReachesAServerAskedForPassiveMode() throws Exception {
        ControlDialogue d = loggedIn(ServerDataMode.PASSIVE);
        try (ServerSocket clientListens = new ServerSocket(0, 1, LO); ServerSocket serverListens = new ServerSocket(0, 1, LO)) {
            int cp = clientListens.getLocalPort();
            line(d, true, "PORT 127,0,0,1," + (cp >> 8) + "," + (cp & 255));
            assertThat(server).containsExactly("PASV\r\n");
            int sp = serverListens.getLocalPort();
            line(d, false, "227 Entering Passive Mode (127,0,0,1," + (sp >> 8) + "," + (sp & 255) + ").");
            assertThat(client).containsExactly("200 PORT command successful.\r\n");
            try (Socket s = serverListens.accept(); Socket c = clientListens.accept()) {
                s.getOutputStream().write("the file".getBytes(StandardCharsets.ISO_8859_1));
                s.shutdownOutput();
                assertThat(readAll(c)).isEqualTo("the file");
            }
        }
        assertThat(table.history).isEmpty();
    }

    @Test
    void aClientAlreadyInTheServersModeIsNotConverted() {
        ControlDialogue d = loggedIn(ServerDataMode.PASSIVE);
        line(d, true, "PASV");
        assertThat(server).containsExactly("PASV\r\n");
        line(d, false, "227 Entering Passive Mode (127,0,0,1,200,10).");
        assertThat(table.installed).hasSize(1);
        assertThat(d.snapshot().decisions().converted()).isZero();
    }

    @Test
    void aServerRefusingTheConvertedCommandAnswersTheClient() {
        ControlDialogue d = loggedIn(ServerDataMode.ACTIVE);
        line(d, true, "EPSV");
        line(d, false, "500 Illegal PORT command.");
        assertThat(client).containsExactly("500 Illegal PORT command.\r\n");
        line(d, true, "PASV"); // nothing pending any more: the next negotiation starts afresh
        assertThat(server).hasSize(2);
    }
}
