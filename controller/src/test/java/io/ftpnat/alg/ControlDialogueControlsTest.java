package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static io.ftpnat.alg.ControlDialogueTest.fromClient;
import static io.ftpnat.alg.ControlDialogueTest.fromServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.AlgControls;
import io.ftpnat.policy.PortRange;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A proxy rule's controls in the reference lab's dialogue (client 10.10.10.2 → published
 * 10.10.10.1 → server 192.168.10.115): what the client gets, what the server gets, what the
 * session shows.
 */
class ControlDialogueControlsTest {
    final FakeDataChannelTable table = new FakeDataChannelTable();
    final List<String> client = new ArrayList<>();
    final List<String> server = new ArrayList<>();

    ControlDialogue dialogue(AlgControls controls) {
        SessionAddresses at = new SessionAddresses(Addresses.socket(ControlDialogueTest.CLIENT, 40000), ControlDialogueTest.PUBLISHED,
                Addresses.socket(ControlDialogueTest.SERVER, 21), Addresses.socket(ControlDialogueTest.ROUTER_OUT, 33333));
        return new ControlDialogue(1, at, table, new PortAllocator(new PortRange(50000, 50009), new Random(1)), new AtomicLong(),
                client::add, server::add, Clock.systemUTC(), controls);
    }

    ControlDialogue loggedIn(AlgControls controls) {
        ControlDialogue d = dialogue(controls);
        fromServer(d, "220 (vsFTPd 3.0.3)");
        fromClient(d, "USER ftp");
        fromServer(d, "331 Please specify the password.");
        fromClient(d, "PASS x");
        fromServer(d, "230 Login successful.");
        client.clear();
        server.clear();
        return d;
    }

    static AlgControls strict() {
        return new AlgControls(true, Set.of(), false);
    }

    @Test
    void deniedCommandsGet502NeverReachTheServerAndAreCounted() {
        ControlDialogue d = loggedIn(new AlgControls(false, Set.of("SITE", "DELE"), false));
        fromClient(d, "site chmod 777 x");
        fromClient(d, "DELE a.txt");
        fromClient(d, "RETR a.txt");
        assertThat(server).containsExactly("RETR a.txt\r\n");
        assertThat(client).containsExactly("502 Command not allowed by policy.\r\n", "502 Command not allowed by policy.\r\n");
        assertThat(d.snapshot().decisions().denied()).isEqualTo(2);
        assertThat(d.snapshot().decisions().last()).isEqualTo("denied DELE");
        assertThat(d.snapshot().refusals()).isEqualTo(2);
    }

    @Test
    void aMaskedBannerHidesTheGreetingWithItsInnerLinesAndTheSystReply() {
        ControlDialogue d = dialogue(new AlgControls(false, Set.of(), true));
        fromServer(d, "220-ProFTPD 1.3.8 Server (Debian) [192.168.10.115]");
        fromServer(d, "220-second line");
        fromServer(d, "220 ready");
        fromClient(d, "USER ftp");
        fromServer(d, "331 ok");
        fromClient(d, "SYST");
        fromServer(d, "215 UNIX Type: L8 (vsFTPd 3.0.3)");
        assertThat(client).containsExactly("220 FTP server ready.\r\n", "331 ok\r\n", "215 UNIX Type: L8\r\n");
        assertThat(d.snapshot().decisions().masked()).isEqualTo(2);
    }

    @Test
    void strictRefusesCommandsBeforeLoginButTheLoginsOwn() {
        ControlDialogue d = dialogue(strict());
        fromServer(d, "220 hi");
        fromClient(d, "FEAT");
        fromServer(d, "211 End");
        fromClient(d, "CWD /etc");
        fromClient(d, "RETR passwd");
        fromClient(d, "USER ftp");
        assertThat(server).containsExactly("FEAT\r\n", "USER ftp\r\n");
        assertThat(client).containsExactly("220 hi\r\n", "211 End\r\n", "530 Please login with USER and PASS.\r\n",
                "530 Please login with USER and PASS.\r\n");
        assertThat(d.snapshot().decisions().strictRefused()).isEqualTo(2);
    }

    @Test
    void withoutStrictCommandsBeforeLoginReachTheServer() {
        ControlDialogue d = dialogue(AlgControls.none());
        fromServer(d, "220 hi");
        fromClient(d, "CWD /etc");
        assertThat(server).containsExactly("CWD /etc\r\n");
    }

    @Test
    void strictRefusesASecondDataCommandWhileAChannelIsPending() {
        ControlDialogue d = loggedIn(strict());
        fromClient(d, "PASV");
        fromClient(d, "PASV"); // pipelined: the first has no reply yet
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64).");
        fromClient(d, "PORT 10,10,10,2,200,10");
        assertThat(server).containsExactly("PASV\r\n");
        assertThat(client).hasSize(3);
        // in order: the refused second PASV's 503 waits behind the first one's 227
        assertThat(client.get(0)).startsWith("227 ");
        assertThat(client.get(1)).startsWith("503 ");
        assertThat(client.get(2)).startsWith("503 ");
        fromClient(d, "RETR a");
        fromServer(d, "150 go");
        fromServer(d, "226 done");
        fromClient(d, "PASV"); // the transfer is over: a new channel may be negotiated
        assertThat(server).endsWith("PASV\r\n");
        assertThat(table.installed).isEmpty();
    }

    @Test
    void strictWithholdsRepliesThatDoNotFitTheCommand() {
        ControlDialogue d = loggedIn(strict());
        fromClient(d, "PASV");
        fromServer(d, "200 PORT command successful."); // not an answer to PASV
        fromClient(d, "NOOP");
        fromServer(d, "150 here comes nothing"); // a preliminary for a NOOP
        fromServer(d, "200 ok");
        fromServer(d, "226 out of the blue"); // nothing awaited
        assertThat(client).containsExactly("451 Reply withheld by the proxy: it did not fit the command.\r\n", "200 ok\r\n");
        assertThat(d.snapshot().decisions().strictRefused()).isEqualTo(3);
        assertThat(table.installed).isEmpty();
    }

    @Test
    void strictRefusesAPassiveReplyNamingAnotherAddress() {
        ControlDialogue d = loggedIn(strict());
        fromClient(d, "PASV");
        fromServer(d, "227 Entering Passive Mode (198,51,100,9,156,64).");
        assertThat(client).containsExactly("425 Can't open data connection.\r\n");
        assertThat(table.history).isEmpty();
        ControlDialogue lenient = loggedIn(AlgControls.none());
        fromClient(lenient, "PASV");
        fromServer(lenient, "227 Entering Passive Mode (198,51,100,9,156,64).");
        assertThat(table.history).singleElement().satisfies(c -> assertThat(c.target()).isEqualTo(ControlDialogueTest.SERVER));
    }

    @Test
    void strictEndsTheSessionOnAServerLineWithTelnetBytes() {
        ControlDialogue d = loggedIn(strict());
        fromClient(d, "NOOP");
        boolean kept = d.fromServer(new TelnetLineReader.Line("200 ok", TelnetLineReader.Flaw.CONTROL_BYTE));
        assertThat(kept).isFalse();
        assertThat(d.endReason()).contains("strict");
        assertThat(client).containsExactly("421 Service not available, closing control connection.\r\n");
    }
}
