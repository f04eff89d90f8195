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
import org.junit.jupiter.api.Test;

/**
 * The reference lab's dialogue (client 10.10.10.2 → published 10.10.10.1 → server
 * 192.168.10.115), fed as raw bytes through the session's Telnet reader: what an attacker sends
 * on either side, what the server and the client get. Nothing the server receives is a byte the
 * ALG did not parse and re-encode; nothing the client receives is a 227/229 of the server's.
 */
class ControlDialogueSmugglingTest {
    final FakeDataChannelTable table = new FakeDataChannelTable();
    final List<String> client = new ArrayList<>();
    final List<String> server = new ArrayList<>();
    final TelnetLineReader clientReader = new TelnetLineReader(512);
    final TelnetLineReader serverReader = new TelnetLineReader(512);
    final ControlDialogue d = new ControlDialogue(7, new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000),
            ControlDialogueTest.PUBLISHED, Addresses.socket(ControlDialogueTest.SERVER, 21),
            Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333)), table, new PortAllocator(new PortRange(50000, 50009),
            new Random(1)), new AtomicLong(), client::add, server::add, Clock.systemUTC());

    ControlDialogueSmugglingTest() {
        serverSends("220 hi\r\n");
        clientSends("USER a\r\n");
        serverSends("230 in\r\n");
        client.clear();
        server.clear();
    }

    void clientSends(String bytes) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        clientReader.feed(b, 0, b.length).forEach(d::fromClient);
    }

    void serverSends(String bytes) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        serverReader.feed(b, 0, b.length).forEach(d::fromServer);
    }

    static final String IAC = "\u00ff";
    static final String BOUNCE = "PORT 10,10,10,99,195,80\r\n";

    @Test
    void anLfAsTheOptionOfIacWillEndsTheLineAndTheBounceBehindItIsRefused() {
        for (int verb = 251; verb <= 254; verb++) {
            client.clear();
            server.clear();
            clientSends("NOOP" + IAC + (char) verb + "\n" + BOUNCE + "NOOP\r\n");
            assertThat(server).as("verb %d", verb).containsExactly("NOOP\r\n");
            serverSends("200 ok\r\n");
            assertThat(client).as("verb %d", verb).containsExactly("500 Telnet option negotiation is not supported.\r\n",
                    "500 Illegal PORT command.\r\n", "200 ok\r\n");
        }
        assertThat(table.history).isEmpty();
    }

    @Test
    void anLfInsideSubnegotiationEndsTheLineToo() {
        clientSends("NOOP" + IAC + "\u00fa\u0018\n" + BOUNCE + IAC + "\u00f0NOOP\r\n");
        assertThat(server).as("an SE outside a subnegotiation is malformed: that line is refused too").isEmpty();
        assertThat(client).containsExactly("500 Telnet option negotiation is not supported.\r\n", "500 Illegal PORT command.\r\n",
                "500 Control characters are not allowed in commands.\r\n");
        assertThat(table.history).isEmpty();
    }

    @Test
    void controlBytesAndMalformedTelnetAreRefusedNotForwarded() {
        for (String bad : List.of("NOOP\u0000x\r\n", "NOOP\rPORT 10,10,10,99,195,80\r\n", "RETR a\u0001b\r\n", "NOOP" + IAC + "\n",
                "NOOP" + IAC + "A\r\n", "NOOP " + IAC + "\r\n")) {
            client.clear();
            clientSends(bad);
            assertThat(client).as("%s", bad.replace("\r", "\\r")).containsExactly("500 Control characters are not allowed in commands.\r\n");
        }
        assertThat(server).isEmpty();
    }

    @Test
    void forwardedLinesAreReencodedCanonically() {
        clientSends("retr  two  spaces " + IAC + IAC + IAC + "\u00f1.bin\nnoop" + IAC + "\u00f6\r\nCWD /x\r\n");
        assertThat(server).containsExactly("RETR  two  spaces " + IAC + IAC + ".bin\r\n", "NOOP\r\n", "CWD /x\r\n");
    }

    @Test
    void aLineThatIsNoCommandIsAnsweredByTheAlg() {
        clientSends("\r\n PORT 10,10,10,99,195,80\r\nP0RT x\r\n");
        assertThat(server).isEmpty();
        assertThat(client).containsExactly("500 Syntax error, command unrecognized.\r\n", "500 Syntax error, command unrecognized.\r\n",
                "500 Syntax error, command unrecognized.\r\n");
    }

    @Test
    void theServersRepliesAreReencodedAndAStray227IsWithheld() {
        clientSends("NOOP\r\n");
        // a 227 hidden behind an LF in a Telnet option, answering nothing
        serverSends("200 ok" + IAC + "\u00fb\n227 Entering Passive Mode (192,168,10,115,156,64)\r\n");
        assertThat(client).containsExactly("200 ok\r\n", "227 Reply withheld by the proxy: no passive request was waiting.\r\n");
        assertThat(table.history).isEmpty();
    }

    @Test
    void aMultiLineReplyCannotHideAFinalLine() {
        clientSends("NOOP\r\n");
        serverSends("230-Welcome\r\n227 Entering Passive Mode (192,168,10,115,156,64)\r\n229 (|||40000|)\r\n230-more\r\n230 done\r\n");
        assertThat(client).containsExactly("230-Welcome\r\n", " 227 Entering Passive Mode (192,168,10,115,156,64)\r\n",
                " 229 (|||40000|)\r\n", "230-more\r\n", "230 done\r\n");
    }

    @Test
    void controlBytesInRepliesAreRemovedAndLinesThatAreNoRepliesDropped() {
        clientSends("NOOP\r\n");
        serverSends("garbage (192,168,10,115,1,2)\r\n200 o\u0000k\rx\r\n");
        assertThat(client).containsExactly("200 okx\r\n");
    }

    @Test
    void anUnansweredPassiveRequestIsOnlyAnsweredByTheRealReply() {
        clientSends("PASV\r\n");
        serverSends("150 (192,168,10,115,1,2)\r\n227 Entering Passive Mode (192,168,10,115,156,64)\r\n");
        assertThat(client).hasSize(2);
        assertThat(client.get(1)).startsWith("227 Entering Passive Mode (10,10,10,1,");
        assertThat(String.join("", client)).doesNotContain("192,168,10,115,156");
    }

    @Test
    void thePendingQueueIsBoundedAndTheSessionReadsOnlyWhileThereIsRoom() {
        for (int i = 0; i < ControlDialogue.MAX_PENDING; i++) {
            assertThat(d.hasRoom()).isTrue();
            clientSends("NOOP\r\n");
        }
        assertThat(d.hasRoom()).as("full: the session stops reading the client").isFalse();
        TelnetLineReader.Line one = new TelnetLineReader.Line("NOOP");
        assertThat(d.fromClient(one)).as("a caller that does not wait ends the session").isFalse();
        serverSends("200 ok\r\n");
        assertThat(d.hasRoom()).as("a reply makes room").isTrue();
    }
}
