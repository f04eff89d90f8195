package io.ftpnat.nativ.netlink.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ftpnat.nativ.netlink.Errno;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.NetnsLab;
import io.ftpnat.nativ.netlink.NetworkNamespace;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;

/**
 * The element writer against the real kernel, in a namespace this test creates and deletes: the
 * proxy maps and advertised sets of ftpnat's table are created with {@code nft -f}, our writer
 * adds and removes elements, and {@code nft list} is the oracle. Kernel 6.18 here; DESTROYSETELEM
 * needs 6.3 or later.
 */
class NftElementsIntegrationTest {
    private static final String TABLE = """
            table inet ftpnat {
            	set advertised4 { type ipv4_addr . ipv4_addr . inet_service; flags timeout; size 4; }
            	set advertised6 { type ipv6_addr . ipv6_addr . inet_service; flags timeout; }
            	map proxy_dnat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
            	map proxy_dnat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr . inet_service; flags timeout; }
            	map proxy_snat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr; flags timeout; }
            	map proxy_snat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr; flags timeout; }
            }
            """;
    private static final IpAddress CLIENT4 = IpAddress.parse("10.10.10.2");
    private static final IpAddress SERVER4 = IpAddress.parse("192.168.10.115");
    private static final IpAddress SNAT4 = IpAddress.parse("192.168.10.1");
    private static final IpAddress CLIENT6 = IpAddress.parse("fd00:10::2");
    private static final IpAddress SERVER6 = IpAddress.parse("fd00:192:168:10::115");
    private static final IpAddress SNAT6 = IpAddress.parse("fd00:192:168:10::1");
    private static final Duration T30 = Duration.ofSeconds(30);

    private static NetnsLab lab;
    private static String ns;
    private static NetworkNamespace netns;
    private static NftElements elements;

    @BeforeAll
    static void setUp() throws Exception {
        NetnsLab.assumeRootLab();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        lab = new NetnsLab();
        ns = lab.newNamespace("nftel");
        netns = NetworkNamespace.enter(ns);
        elements = NftElements.open(netns);
    }

    @AfterAll
    static void tearDown() {
        if (elements != null) {
            elements.close();
        }
        if (netns != null) {
            netns.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** Every test starts from the empty table. */
    @BeforeEach
    void freshTable() throws IOException {
        Path f = Files.createTempFile("ftpnat-nft", ".nft");
        try {
            Files.writeString(f, "table inet ftpnat\ndelete table inet ftpnat\n" + TABLE);
            NetnsLab.exec(ns, "nft", "-f", f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static ElementBatch batch() {
        return ElementBatch.forTable("ftpnat");
    }

    /** The elements nft lists for a set or map, without the "expires …" countdown. */
    private static List<String> listed(String kind, String name) throws IOException {
        String out = NetnsLab.exec(ns, "nft", "list", kind, "inet", "ftpnat", name);
        int start = out.indexOf("elements = {");
        List<String> result = new ArrayList<>();
        if (start < 0) {
            return result;
        }
        String body = out.substring(start + "elements = {".length(), out.indexOf('}', start));
        for (String e : body.split(",")) {
            result.add(e.replaceAll(" expires \\S+", "").replaceAll("\\s+", " ").strip());
        }
        return result;
    }

    @Test
    void oneBatchAddsAnElementToEachObjectAndAnotherRemovesThemAll() throws Exception {
        Concat key4 = Concat.of(CLIENT4, SERVER4, 40001);
        Concat key6 = Concat.of(CLIENT6, SERVER6, 40001);
        elements.apply(batch()
                .addMapElement("proxy_dnat4", key4, Concat.of(SERVER4, 40001), T30)
                .addMapElement("proxy_snat4", key4, Concat.of(SNAT4), T30)
                .addMapElement("proxy_dnat6", key6, Concat.of(SERVER6, 40001), T30)
                .addMapElement("proxy_snat6", key6, Concat.of(SNAT6), T30)
                .addSetElement("advertised4", Concat.of(CLIENT4, IpAddress.parse("198.51.100.7"), 50000), Duration.ofSeconds(300))
                .addSetElement("advertised6", Concat.of(CLIENT6, IpAddress.parse("2001:db8::7"), 50000), Duration.ofSeconds(300)));

        assertThat(listed("map", "proxy_dnat4")).containsExactly("10.10.10.2 . 192.168.10.115 . 40001 timeout 30s : 192.168.10.115 . 40001");
        assertThat(listed("map", "proxy_snat4")).containsExactly("10.10.10.2 . 192.168.10.115 . 40001 timeout 30s : 192.168.10.1");
        assertThat(listed("map", "proxy_dnat6")).containsExactly("fd00:10::2 . fd00:192:168:10::115 . 40001 timeout 30s : fd00:192:168:10::115 . 40001");
        assertThat(listed("map", "proxy_snat6")).containsExactly("fd00:10::2 . fd00:192:168:10::115 . 40001 timeout 30s : fd00:192:168:10::1");
        assertThat(listed("set", "advertised4")).containsExactly("10.10.10.2 . 198.51.100.7 . 50000 timeout 5m");
        assertThat(listed("set", "advertised6")).containsExactly("fd00:10::2 . 2001:db8::7 . 50000 timeout 5m");

        elements.apply(batch()
                .deleteElement("proxy_dnat4", key4).deleteElement("proxy_snat4", key4)
                .deleteElement("proxy_dnat6", key6).deleteElement("proxy_snat6", key6)
                .deleteElement("advertised4", Concat.of(CLIENT4, IpAddress.parse("198.51.100.7"), 50000))
                .deleteElement("advertised6", Concat.of(CLIENT6, IpAddress.parse("2001:db8::7"), 50000)));
        for (String map : List.of("proxy_dnat4", "proxy_snat4", "proxy_dnat6", "proxy_snat6")) {
            assertThat(listed("map", map)).as(map).isEmpty();
        }
        assertThat(listed("set", "advertised4")).isEmpty();
        assertThat(listed("set", "advertised6")).isEmpty();
    }

    @Test
    void anElementTimesOutOnItsOwn() throws Exception {
        elements.apply(batch().addMapElement("proxy_dnat4", Concat.of(CLIENT4, SERVER4, 40001), Concat.of(SERVER4, 40001),
                Duration.ofSeconds(2)));
        assertThat(listed("map", "proxy_dnat4")).hasSize(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!listed("map", "proxy_dnat4").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(listed("map", "proxy_dnat4")).as("gone after its 2 s timeout").isEmpty();
    }

    @Test
    void oneRefusedOperationLeavesTheWholeBatchUnapplied() throws Exception {
        Concat taken = Concat.of(IpAddress.parse("10.10.10.9"), SERVER4, 40009);
        elements.apply(batch().addMapElement("proxy_dnat4", taken, Concat.of(SERVER4, 40009), T30));
        Concat key = Concat.of(CLIENT4, SERVER4, 40001);

        assertThatThrownBy(() -> elements.apply(batch()
                .addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), T30)
                .createMapElement("proxy_dnat4", taken, Concat.of(SERVER4, 40009), T30)
                .addMapElement("proxy_snat4", key, Concat.of(SNAT4), T30)))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("create element inet ftpnat proxy_dnat4 { 10.10.10.9 . 192.168.10.115 . 40009 timeout 30000ms"
                        + " : 192.168.10.115 . 40009 } (operation 2 of 3; none applied)")
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST));

        assertThat(listed("map", "proxy_dnat4")).containsExactly("10.10.10.9 . 192.168.10.115 . 40009 timeout 30s : 192.168.10.115 . 40009");
        assertThat(listed("map", "proxy_snat4")).isEmpty();
    }

    @Test
    void addingTheSameKeyWithOtherDataIsRefused() throws Exception {
        Concat key = Concat.of(CLIENT4, SERVER4, 40001);
        elements.apply(batch().addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), T30));
        elements.apply(batch().addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), T30)); // identical: no error
        assertThatThrownBy(() -> elements.apply(batch().addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40002), T30)))
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST));
        assertThat(listed("map", "proxy_dnat4")).containsExactly("10.10.10.2 . 192.168.10.115 . 40001 timeout 30s : 192.168.10.115 . 40001");
    }

    @Test
    void deletingAMissingElementIsEnoentButDestroyWithdrawsItEvenWhenExpired() throws Exception {
        Concat key = Concat.of(CLIENT4, SERVER4, 40001);
        assertThatThrownBy(() -> elements.apply(batch().deleteElement("proxy_dnat4", key)))
                .hasMessage("delete element inet ftpnat proxy_dnat4 { 10.10.10.2 . 192.168.10.115 . 40001 }: ENOENT (2)");
        elements.apply(batch().destroyElement("proxy_dnat4", key)); // never there: fine

        // expired but perhaps not yet collected: delete says ENOENT, destroy succeeds
        elements.apply(batch().addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), Duration.ofMillis(1)));
        Thread.sleep(50);
        assertThatThrownBy(() -> elements.apply(batch().deleteElement("proxy_dnat4", key)))
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT));
        elements.apply(batch().destroyElement("proxy_dnat4", key));

        // a live one: destroy removes it
        elements.apply(batch().addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), T30));
        elements.apply(batch().destroyElement("proxy_dnat4", key).destroyElement("proxy_snat4", key));
        assertThat(listed("map", "proxy_dnat4")).isEmpty();
        // and the key is free again for a new data channel in the same transaction as a withdrawal
        elements.apply(batch().destroyElement("proxy_dnat4", key)
                .addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40002), T30));
        assertThat(listed("map", "proxy_dnat4")).containsExactly("10.10.10.2 . 192.168.10.115 . 40001 timeout 30s : 192.168.10.115 . 40002");
    }

    @Test
    void missingTableOrSetIsEnoentEvenForDestroy() {
        Concat key = Concat.of(CLIENT4, SERVER4, 40001);
        assertThatThrownBy(() -> elements.apply(batch().destroyElement("proxy_nope4", key)))
                .hasMessage("destroy element inet ftpnat proxy_nope4 { 10.10.10.2 . 192.168.10.115 . 40001 }: ENOENT (2)");
        assertThatThrownBy(() -> elements.apply(ElementBatch.forTable("nosuchtable")
                .addMapElement("proxy_dnat4", key, Concat.of(SERVER4, 40001), T30)))
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void wrongFamilyKeyIsInvalidAndAFullSetIsRefused() throws Exception {
        assertThatThrownBy(() -> elements.apply(batch().addMapElement("proxy_dnat4",
                Concat.of(CLIENT6, SERVER6, 40001), Concat.of(SERVER4, 40001), T30)))
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EINVAL));
        for (int port = 1; port <= 4; port++) {
            elements.apply(batch().addSetElement("advertised4", Concat.of(CLIENT4, SERVER4, port), T30));
        }
        assertThatThrownBy(() -> elements.apply(batch().addSetElement("advertised4", Concat.of(CLIENT4, SERVER4, 5), T30)))
                .satisfies(e -> assertThat(((NetlinkException) e).errnoName()).isEqualTo("ENFILE"));
        assertThat(listed("set", "advertised4")).hasSize(4);
    }
}
