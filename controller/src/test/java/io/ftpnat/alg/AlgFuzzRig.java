package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.ftp.TelnetLineReader;
import io.ftpnat.policy.PortRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One proxied control connection without sockets, for the ALG fuzz campaign (io.ftpnat.fuzz.AlgFuzzTest):
 * a {@link ControlDialogue} fed from both directions through a {@link TelnetLineReader} each, the way
 * {@link ProxySession#pump} does it (one read's bytes → lines → fromClient/fromServer; a false from
 * fromServer ends the session), a fake kernel table, four data ports. What each peer would receive is
 * collected, one entry per sink call. The glue the campaign needs from package-private classes, and
 * nothing else: after the ALG changes, only this file follows.
 */
public final class AlgFuzzRig {
    public static final int MAX_LINE = 512;
    public static final int FIRST_DATA_PORT = 50000;
    public static final int LAST_DATA_PORT = 50003;

    /** The families of the client's and the server's side (mixed ones are relayed by the daemon). */
    public enum Families {
        V4(ip("10.10.10.2"), ip("10.10.10.1"), ip("192.168.10.115"), ip("192.168.10.114")),
        V6(ip("2001:db8:a::2"), ip("2001:db8:a::1"), ip("2001:db8:b::115"), ip("2001:db8:b::114")),
        V6_CLIENT_V4_SERVER(ip("2001:db8:a::2"), ip("2001:db8:a::1"), ip("192.168.10.115"), ip("192.168.10.114")),
        V4_CLIENT_V6_SERVER(ip("10.10.10.2"), ip("10.10.10.1"), ip("2001:db8:b::115"), ip("2001:db8:b::114"));

        final SessionAddresses at;

        Families(IpAddress client, IpAddress view, IpAddress server, IpAddress routerOut) {
            at = new SessionAddresses(Addresses.socket(client, 40000), view, Addresses.socket(server, 21),
                    Addresses.socket(routerOut, 33333));
        }
    }

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_796_126_400L), ZoneOffset.UTC);

    private final FakeDataChannelTable table = new FakeDataChannelTable();
    private final PortAllocator ports = new PortAllocator(new PortRange(FIRST_DATA_PORT, LAST_DATA_PORT), new Random(7));
    private final TelnetLineReader clientReader = new TelnetLineReader(MAX_LINE);
    private final TelnetLineReader serverReader = new TelnetLineReader(MAX_LINE);
    private final List<String> toClient = new ArrayList<>();
    private final List<String> toServer = new ArrayList<>();
    private final SessionAddresses at;
    private final ControlDialogue dialogue;

    public AlgFuzzRig(Families families, boolean tableRefuses) {
        this.at = families.at;
        table.fail = tableRefuses;
        dialogue = new ControlDialogue(1, at, table, ports, new AtomicLong(), toClient::add, toServer::add, CLOCK);
    }

    /** One read's bytes from the client or the server; false when the session ends (as ProxySession closes it). */
    public boolean feed(boolean fromClient, byte[] data, int offset, int length) {
        TelnetLineReader reader = fromClient ? clientReader : serverReader;
        for (TelnetLineReader.Line line : reader.feed(data, offset, length)) {
            if (fromClient) {
                dialogue.fromClient(line);
            } else if (!dialogue.fromServer(line)) {
                return false;
            }
        }
        return true;
    }

    public void close() {
        dialogue.close();
    }

    /** What the server received, one entry per decision of the dialogue (ISO-8859-1: one char per byte). */
    public List<String> toServer() {
        return toServer;
    }

    public List<String> toClient() {
        return toClient;
    }

    public int pendingBytes(boolean fromClient) {
        return (fromClient ? clientReader : serverReader).pending();
    }

    public int awaitingReplies() {
        return dialogue.snapshot().awaitingReplies();
    }

    public Set<ChannelElement> installed() {
        return table.installed;
    }

    public List<ChannelElement> everInstalled() {
        return table.history;
    }

    public int portsInUse() {
        return ports.inUse();
    }

    public SessionAddresses addresses() {
        return at;
    }

    private static IpAddress ip(String literal) {
        try {
            return IpAddress.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
