package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.PortRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The dialogue as the reference lab has it, without sockets: client 10.10.10.2 connected to the
 * published 10.10.10.1:21 (DNAT rule), the proxy reaches the server 192.168.10.115:21 from
 * 192.168.10.114. What each side receives is what the sinks collected.
 */
class ControlDialogueTest {
    static final IpAddress CLIENT = ip("10.10.10.2");
    static final IpAddress PUBLISHED = ip("10.10.10.1");
    static final IpAddress SERVER = ip("192.168.10.115");
    static final IpAddress ROUTER_OUT = ip("192.168.10.114");

    final FakeDataChannelTable table = new FakeDataChannelTable();
    final List<String> client = new ArrayList<>();
    final List<String> server = new ArrayList<>();
    final PortAllocator ports = new PortAllocator(new PortRange(50000, 50009), new Random(1));

    ControlDialogue dnat() {
        return dialogue(PUBLISHED, SERVER);
    }

    ControlDialogue dialogue(IpAddress clientView, IpAddress serverAddress) {
        SessionAddresses at = new SessionAddresses(Addresses.socket(CLIENT, 40000), clientView,
                Addresses.socket(serverAddress, 21), Addresses.socket(ROUTER_OUT, 33333));
        return new ControlDialogue(1, at, table, ports, new AtomicLong(), client::add, server::add, Clock.systemUTC());
    }

    static void fromClient(ControlDialogue d, String line) {
        d.fromClient(new TelnetLineReader.Line(line));
    }

    static void fromServer(ControlDialogue d, String line) {
        d.fromServer(new TelnetLineReader.Line(line));
    }

    ControlDialogue loggedIn() {
        ControlDialogue d = dnat();
        fromServer(d, "220 hello");
        fromClient(d, "USER anonymous");
        fromServer(d, "331 password");
        fromClient(d, "PASS x");
        fromServer(d, "230 ok");
        client.clear();
        server.clear();
        return d;
    }

    @Test
    void pasvIsAnsweredWithThePublishedAddressAndOneKernelEntry() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PASV");
        assertThat(server).containsExactly("PASV\r\n");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64).");
        assertThat(table.installed).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ChannelElement.Kind.PASSIVE);
            assertThat(c.match().source()).isEqualTo(CLIENT);
            assertThat(c.match().destination()).isEqualTo(PUBLISHED);
            assertThat(c.target()).isEqualTo(SERVER);
            assertThat(c.targetPort()).isEqualTo(40000);
            assertThat(c.snatTo()).contains(ROUTER_OUT);
        });
        int port = table.installed.iterator().next().match().port();
        assertThat(port).isBetween(50000, 50009);
        assertThat(client).containsExactly("227 Entering Passive Mode (10,10,10,1," + (port >> 8) + "," + (port & 255) + ").\r\n");
        fromClient(d, "RETR one.bin");
        fromServer(d, "150 Opening");
        assertThat(table.installed).hasSize(1);
        fromServer(d, "226 Done");
        assertThat(table.installed).as("removed once the transfer is over").isEmpty();
        assertThat(ports.inUse()).isZero();
    }

    @Test
    void aForeignAddressInThe227IsCorrectedToTheServersOwn() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PASV");
        fromServer(d, "227 Entering Passive Mode (198,51,100,9,156,64)");
        assertThat(table.installed).singleElement().satisfies(c -> assertThat(c.target()).isEqualTo(SERVER));
        assertThat(client.get(0)).startsWith("227 Entering Passive Mode (10,10,10,1,");
    }

    @Test
    void epsvFromTheClientIsPasvToAnIpv4ServerAnd229Back() {
        ControlDialogue d = loggedIn();
        fromClient(d, "epsv");
        assertThat(server).containsExactly("PASV\r\n");
        fromServer(d, "227 =192,168,10,115,156,64");
        int port = table.installed.iterator().next().match().port();
        assertThat(client).containsExactly("229 Entering Extended Passive Mode (|||" + port + "|)\r\n");
    }

    @Test
    void lpsvGetsA228() {
        ControlDialogue d = loggedIn();
        fromClient(d, "LPSV");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        int port = table.installed.iterator().next().match().port();
        assertThat(client).containsExactly("228 Entering Long Passive Mode (4,4,10,10,10,1,2," + (port >> 8) + "," + (port & 255) + ")\r\n");
    }

    @Test
    void aStray227OpensNothingAndIsRelayed() {
        ControlDialogue d = loggedIn();
        fromClient(d, "QUIT");
        fromServer(d, "227 Logout.");
        assertThat(table.history).isEmpty();
        assertThat(client).containsExactly("227 Logout.\r\n");
    }

    @Test
    void portIsRewrittenToTheRoutersAddressAndAPortOfItsOwn() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PORT 10,10,10,2,195,80");
        ChannelElement c = table.installed.iterator().next();
        assertThat(c.kind()).isEqualTo(ChannelElement.Kind.ACTIVE);
        assertThat(c.match()).isEqualTo(new FlowKey(SERVER, ROUTER_OUT, c.match().port()));
        assertThat(c.target()).isEqualTo(CLIENT);
        assertThat(c.targetPort()).isEqualTo(50000);
        assertThat(c.snatTo()).as("the client sees the data connection from the published address").contains(PUBLISHED);
        int p = c.match().port();
        assertThat(server).containsExactly("PORT 192,168,10,114," + (p >> 8) + "," + (p & 255) + "\r\n");
    }

    @Test
    void eprtWithAnyDelimiterAndLprtBecomePortToAnIpv4Server() {
        ControlDialogue d = loggedIn();
        fromClient(d, "EPRT !1!10.10.10.2!50000!");
        fromServer(d, "200 ok");
        fromClient(d, "LPRT 4,4,10,10,10,2,2,195,81");
        assertThat(server).allSatisfy(l -> assertThat(l).startsWith("PORT 192,168,10,114,"));
        assertThat(table.installed).singleElement().satisfies(c -> assertThat(c.targetPort()).isEqualTo(50001));
        assertThat(table.history).as("one pending channel per session: the LPRT replaced the EPRT's").hasSize(2);
    }

    @Test
    void aThirdPartyAddressIsABounceAndNeverReachesTheServer() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PORT 10,10,10,99,195,80");
        fromClient(d, "EPRT |1|192.168.10.115|21|");
        assertThat(server).isEmpty();
        assertThat(table.history).isEmpty();
        assertThat(client).containsExactly("500 Illegal PORT command.\r\n", "500 Illegal EPRT command.\r\n");
    }

    @Test
    void aPrivilegedPortIsRefused() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PORT 10,10,10,2,0,25");
        assertThat(server).isEmpty();
        assertThat(client).containsExactly("500 Illegal PORT command.\r\n");
    }

    @Test
    void pipelinedCommandsGetTheirRepliesInOrderWithOurOwnAnswersInBetween() {
        ControlDialogue d = loggedIn();
        fromClient(d, "NOOP");
        fromClient(d, "PORT 10,10,10,99,1,1"); // refused by us, but only after NOOP's reply
        fromClient(d, "SYST");
        assertThat(client).isEmpty();
        fromServer(d, "200 NOOP ok");
        assertThat(client).containsExactly("200 NOOP ok\r\n", "500 Illegal PORT command.\r\n");
        fromServer(d, "215 UNIX");
        assertThat(client).endsWith("215 UNIX\r\n");
    }

    @Test
    void epsvAllIsOursToAnswerAndPortIsRefusedAfterIt() {
        ControlDialogue d = loggedIn();
        fromClient(d, "EPSV ALL");
        fromClient(d, "PORT 10,10,10,2,195,80");
        assertThat(server).isEmpty();
        assertThat(client).containsExactly("200 EPSV ALL command successful.\r\n", "501 PORT not allowed after EPSV ALL.\r\n");
    }

    @Test
    void aMultiLine227ReachesTheClientAsOneLineOfOurs() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PASV");
        fromServer(d, "227-Entering (192,168,10,115,1,2)");
        fromServer(d, "227 Passive Mode (192,168,10,115,156,64)");
        assertThat(client).singleElement().satisfies(l -> assertThat(l).startsWith("227 Entering Passive Mode (10,10,10,1,"));
        assertThat(table.installed).singleElement().satisfies(c -> assertThat(c.targetPort()).isEqualTo(40000));
    }

    @Test
    void abortsSynchIsDroppedAndTheServerGetsAPlainAbor() {
        ControlDialogue d = loggedIn();
        byte[] abor = {(byte) 255, (byte) 244, (byte) 255, (byte) 242, 'A', 'B', 'O', 'R', '\r', '\n'};
        for (TelnetLineReader.Line l : new TelnetLineReader(512).feed(abor, 0, abor.length)) {
            d.fromClient(l);
        }
        assertThat(server).containsExactly("ABOR\r\n");
    }

    @Test
    void authTlsIsRefusedByTheAlgAndNeverReachesTheServer() {
        ControlDialogue d = dnat();
        fromServer(d, "220 hello");
        fromClient(d, "AUTH TLS");
        assertThat(server).isEmpty();
        assertThat(client).containsExactly("220 hello\r\n", "502 Command not implemented.\r\n");
    }

    @Test
    void portBeforeLoginOpensNothing() {
        ControlDialogue d = dnat();
        fromServer(d, "220 hello");
        fromClient(d, "PORT 10,10,10,2,195,80");
        assertThat(table.history).isEmpty();
        assertThat(client).containsExactly("220 hello\r\n", "530 Please login with USER and PASS.\r\n");
    }

    @Test
    void aKernelRefusalIsA425AndNothingLeaks() {
        ControlDialogue d = loggedIn();
        table.fail = true;
        fromClient(d, "PASV");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        assertThat(client).containsExactly("425 Can't open data connection.\r\n");
        assertThat(ports.inUse()).isZero();
    }

    @Test
    void closingTheSessionWithdrawsItsChannel() {
        ControlDialogue d = loggedIn();
        fromClient(d, "PASV");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        d.close();
        assertThat(table.installed).isEmpty();
        assertThat(ports.inUse()).isZero();
    }

    @Test
    void throughAnSnatRuleTheClientSeesTheServerItself() {
        ControlDialogue d = dialogue(SERVER, SERVER);
        fromServer(d, "220 hi");
        fromClient(d, "USER a");
        fromServer(d, "230 in");
        fromClient(d, "PORT 10,10,10,2,195,80");
        assertThat(table.installed).singleElement().satisfies(c -> assertThat(c.snatTo()).isEmpty());
        fromServer(d, "200 ok");
        fromClient(d, "PASV");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        assertThat(table.installed).singleElement().satisfies(c -> {
            assertThat(c.match().destination()).isEqualTo(SERVER);
            assertThat(c.match().port()).isNotEqualTo(40000);
        });
    }

    @Test
    void anIpv6ClientOfAnIpv4ServerGetsARelayedChannel() {
        IpAddress client6 = ip("fd00:10::2");
        IpAddress published6 = ip("fd00:10::1");
        SessionAddresses at = new SessionAddresses(Addresses.socket(client6, 40000), published6,
                Addresses.socket(SERVER, 21), Addresses.socket(ROUTER_OUT, 33333));
        ControlDialogue d = new ControlDialogue(1, at, table, ports, new AtomicLong(), client::add, server::add, Clock.systemUTC());
        fromServer(d, "220 hi");
        fromClient(d, "USER a");
        fromServer(d, "230 in");
        fromClient(d, "EPSV");
        assertThat(server).containsExactly("USER a\r\n", "PASV\r\n");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        ChannelElement passive = table.installed.iterator().next();
        assertThat(passive.path()).isEqualTo(ChannelElement.Path.RELAYED);
        assertThat(passive.match()).isEqualTo(new FlowKey(client6, published6, passive.match().port()));
        assertThat(client.get(client.size() - 1)).isEqualTo("229 Entering Extended Passive Mode (|||" + passive.match().port() + "|)\r\n");
        fromClient(d, "EPRT |2|fd00:10::2|50000|");
        ChannelElement active = table.installed.iterator().next();
        assertThat(active.path()).isEqualTo(ChannelElement.Path.RELAYED);
        assertThat(active.target()).isEqualTo(client6);
        assertThat(active.snatTo()).as("the client sees the connection from the address it connected to").contains(published6);
        assertThat(server.get(server.size() - 1)).startsWith("PORT 192,168,10,114,");
        fromClient(d, "PASV");
        fromServer(d, "200 EPRT ok");
        fromServer(d, "227 Entering Passive Mode (192,168,10,115,156,64)");
        assertThat(client.get(client.size() - 1)).as("a 227 cannot carry an IPv6 address").startsWith("425");
    }

    @Test
    void anIpv6LprtBecomesEprtToAnIpv6Server() {
        IpAddress client6 = ip("fd00:10::2");
        IpAddress server6 = ip("fd00:192::115");
        IpAddress router6 = ip("fd00:192::114");
        SessionAddresses at = new SessionAddresses(Addresses.socket(client6, 40000), server6,
                Addresses.socket(server6, 21), Addresses.socket(router6, 33333));
        ControlDialogue d = new ControlDialogue(1, at, table, ports, new AtomicLong(), client::add, server::add, Clock.systemUTC());
        fromServer(d, "220 hi");
        fromClient(d, "USER a");
        fromServer(d, "230 in");
        fromClient(d, "LPRT 6,16,253,0,0,16,0,0,0,0,0,0,0,0,0,0,0,2,2,195,80");
        ChannelElement c = table.installed.iterator().next();
        assertThat(c.path()).isEqualTo(ChannelElement.Path.KERNEL);
        assertThat(c.target()).isEqualTo(client6);
        assertThat(server.get(server.size() - 1)).isEqualTo("EPRT |2|fd00:192::114|" + c.match().port() + "|\r\n");
        fromServer(d, "200 ok");
        fromClient(d, "PASV");
        assertThat(server.get(server.size() - 1)).as("an IPv6 server is asked EPSV").isEqualTo("EPSV\r\n");
        fromServer(d, "229 Entering Extended Passive Mode (|||40001|)");
        assertThat(client.get(client.size() - 1)).as("PASV over IPv6 has no answer").startsWith("425");
    }

    static IpAddress ip(String s) {
        try {
            return IpAddress.of(InetAddress.getByName(s));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
