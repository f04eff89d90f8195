package io.ftpnat.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.ruleset.OwnTableOnly;
import io.ftpnat.ruleset.Ruleset;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The element writer's ledger: what an apply carries into the new table is exactly what the kernel
 * took and has not yet timed out, with what is left of each timeout.
 */
class NetlinkElementsTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private boolean refuse;
    private final NetlinkElements elements = new NetlinkElements(() -> new NetlinkElements.Writer() {
        @Override
        public void apply(io.ftpnat.nativ.netlink.nftables.ElementBatch batch) throws NetlinkException {
            if (refuse) {
                throw new NetlinkException("add element", 2);
            }
        }

        @Override
        public void close() {
        }
    }, nanos::get);
    private final NftDataChannels channels = new NftDataChannels(elements::apply, "ftpnat");
    private final NftAdvertisedAddresses watched = new NftAdvertisedAddresses(elements, "ftpnat");

    private static final String MAPS = "table inet ftpnat {\n\tset advertised4 {\n\t}\n\tmap proxy_dnat4 {\n\t}\n\tmap proxy_snat4 {\n\t}\n}\n";
    private static final Ruleset WITH_PROXY = new Ruleset("ftpnat", MAPS);
    private static final Ruleset WITHOUT_PROXY = new Ruleset("ftpnat", "table inet ftpnat {\n\tset advertised4 {\n\t}\n}\n");

    private static DataChannelRule passive() {
        return new DataChannelRule(NftDataChannelsTest.CLIENT, NftDataChannelsTest.PUBLISHED, 50001, NftDataChannelsTest.SERVER,
                40000, Optional.of(NftDataChannelsTest.ROUTER_OUT));
    }

    @Test
    void theLiveElementsAreRenderedWithWhatIsLeftOfTheirTimeouts() throws Exception {
        channels.add(passive(), Duration.ofSeconds(30));
        watched.add(IpAddress.parse("10.10.10.2"), IpAddress.parse("198.51.100.9"), 40000, 60);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());

        String text = elements.render(WITH_PROXY);
        assertThat(text.lines()).containsExactly(
                "add element inet ftpnat proxy_dnat4 { 10.10.10.2 . 10.10.10.1 . 50001 timeout 20000ms : 192.168.10.115 . 40000 }",
                "add element inet ftpnat proxy_snat4 { 10.10.10.2 . 192.168.10.115 . 40000 timeout 20000ms : 192.168.10.114 }",
                "add element inet ftpnat advertised4 { 10.10.10.2 . 198.51.100.9 . 40000 timeout 50000ms }");
        OwnTableOnly.check(WITH_PROXY.text() + text, "ftpnat"); // what the apply hands to libnftables
    }

    @Test
    void withdrawnExpiredAndRefusedElementsAreNotCarriedOver() throws Exception {
        channels.add(passive(), Duration.ofSeconds(30));
        channels.remove(passive());
        watched.add(IpAddress.parse("10.10.10.2"), IpAddress.parse("198.51.100.9"), 40000, 5);
        refuse = true;
        assertThatThrownBy(() -> watched.add(IpAddress.parse("10.10.10.3"), IpAddress.parse("198.51.100.9"), 40001, 60))
                .isInstanceOf(NetlinkException.class);
        assertThat(elements.size()).isEqualTo(1);
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(elements.render(WITH_PROXY)).isEmpty();
        assertThat(elements.size()).isZero();
    }

    @Test
    void aTableWithoutTheProxyMapsDropsTheirElementsOnlyOnceItIsInForce() throws Exception {
        channels.add(passive(), Duration.ofSeconds(30));
        assertThat(elements.render(WITHOUT_PROXY)).isEmpty();
        assertThat(elements.size()).isEqualTo(2); // a failed apply keeps the old table, and its elements
        elements.committed(WITHOUT_PROXY);
        assertThat(elements.size()).isZero();
    }
}
