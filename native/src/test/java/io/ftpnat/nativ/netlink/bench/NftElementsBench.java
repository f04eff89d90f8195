package io.ftpnat.nativ.netlink.bench;

import java.time.Duration;
import java.util.Arrays;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.nftables.Concat;
import io.ftpnat.nativ.netlink.nftables.ElementBatch;
import io.ftpnat.nativ.netlink.nftables.NftElements;
import io.ftpnat.nativ.nft.NftContext;

/**
 * Benchmark driver for scripts/bench-nft-elements.sh, run inside the benchmark's namespace
 * ({@code ip netns exec NS java ...}): adding and deleting one proxy_dnat4 element (the ALG's
 * per-data-channel work), through our netlink writer ({@link NftElements}) and through
 * libnftables text ({@link NftContext#run}, what the controller does today), each add and each
 * delete its own transaction and timed on its own; and a data channel replaced as the controller's
 * NftDataChannelTable does it on a PASV: one transaction withdrawing the previous channel's
 * proxy_dnat4 and proxy_snat4 elements (nft: add with timeout 1s + delete, as nft 1.0.6 has no
 * destroy; ours: DESTROYSETELEM) and adding the new channel's two elements.
 *
 * <pre>NftElementsBench PAIRS RUNS WARMUP</pre>
 * Each run does PAIRS pairs; a pair is one add+delete by each path, the order flipped every pair,
 * so both see the same background load. WARMUP pairs first (same for both, not counted). Prints
 * p50/p99 of every run and the median of those over the runs.
 */
public final class NftElementsBench {
    private static final String TABLE = """
            table inet ftpnat
            delete table inet ftpnat
            table inet ftpnat {
            	set advertised4 { type ipv4_addr . ipv4_addr . inet_service; flags timeout; size 65536; }
            	set advertised6 { type ipv6_addr . ipv6_addr . inet_service; flags timeout; size 65536; }
            	map proxy_dnat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
            	map proxy_dnat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr . inet_service; flags timeout; }
            	map proxy_snat4 { type ipv4_addr . ipv4_addr . inet_service : ipv4_addr; flags timeout; }
            	map proxy_snat6 { type ipv6_addr . ipv6_addr . inet_service : ipv6_addr; flags timeout; }
            	chain proxy_prerouting {
            		type nat hook prerouting priority dstnat - 10; policy accept;
            		ct state new dnat ip to ip saddr . ip daddr . tcp dport map @proxy_dnat4
            		ct state new dnat ip6 to ip6 saddr . ip6 daddr . tcp dport map @proxy_dnat6
            	}
            	chain proxy_postrouting {
            		type nat hook postrouting priority srcnat + 10; policy accept;
            		ct state new snat ip to ip saddr . ip daddr . tcp dport map @proxy_snat4
            		ct state new snat ip6 to ip6 saddr . ip6 daddr . tcp dport map @proxy_snat6
            	}
            }
            """;
    private static final IpAddress CLIENT = IpAddress.parse("10.10.10.2");
    private static final IpAddress SERVER = IpAddress.parse("192.168.10.115");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final IpAddress PUBLISHED = IpAddress.parse("198.51.100.1");
    private static final IpAddress SNAT = IpAddress.parse("192.168.10.1");
    private static final IpAddress CLIENT_NFT = IpAddress.parse("10.10.10.3");
    private static final int KINDS = 6;

    /** Latencies (ns) of one run: [ours add, ours delete, ours channel, nft add, nft delete, nft channel][pair]. */
    private static long[][] lat;

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        try (NftContext nft = NftContext.open(); NftElements ours = NftElements.open()) {
            nft.run(TABLE);
            ElementBatch batch = ElementBatch.forTable("ftpnat");
            lat = new long[KINDS][Math.max(pairs, warmup)];
            for (int i = 0; i < warmup; i++) {
                pair(nft, ours, batch, i, i % 2 == 0);
            }
            String[] names = {"ours add", "ours delete", "ours channel", "libnftables add", "libnftables delete", "libnftables channel"};
            double[][] p50 = new double[KINDS][runs];
            double[][] p99 = new double[KINDS][runs];
            for (int r = 0; r < runs; r++) {
                for (int i = 0; i < pairs; i++) {
                    pair(nft, ours, batch, i, i % 2 == 0);
                }
                StringBuilder line = new StringBuilder("run " + (r + 1) + ":");
                for (int k = 0; k < KINDS; k++) {
                    long[] l = Arrays.copyOf(lat[k], pairs);
                    Arrays.sort(l);
                    p50[k][r] = l[(int) Math.floor(0.50 * (pairs - 1))] / 1e6;
                    p99[k][r] = l[(int) Math.floor(0.99 * (pairs - 1))] / 1e6;
                    line.append(String.format("  %s p50 %.3f p99 %.3f ms;", names[k], p50[k][r], p99[k][r]));
                }
                System.out.println(line);
            }
            System.out.printf("median of %d runs of %d pairs (warm-up %d pairs):%n", runs, pairs, warmup);
            for (int k = 0; k < KINDS; k++) {
                System.out.printf("  %-20s p50 %.3f ms  p99 %.3f ms%n", names[k], median(p50[k]), median(p99[k]));
            }
            System.out.printf("  add+delete          p50 ours %.3f ms vs libnftables %.3f ms%n",
                    median(p50[0]) + median(p50[1]), median(p50[3]) + median(p50[4]));
            // both paths must have left exactly their last channel: one dnat and one snat element each
            for (String map : new String[] {"proxy_dnat4", "proxy_snat4"}) {
                String listed = nft.run("list map inet ftpnat " + map).output();
                System.out.printf("check: %s holds %d elements (expected 2: the last channel of each path)%n", map,
                        listed.contains("elements = {") ? listed.substring(listed.indexOf("elements = {")).split(",").length : 0);
            }
        }
    }

    private static void pair(NftContext nft, NftElements ours, ElementBatch batch, int i, boolean oursFirst) throws Exception {
        int port = 40001 + (i % 20000);
        if (oursFirst) {
            viaNetlink(ours, batch, i, port);
            viaLibnftables(nft, i, port);
        } else {
            viaLibnftables(nft, i, port);
            viaNetlink(ours, batch, i, port);
        }
    }

    private static void viaNetlink(NftElements ours, ElementBatch batch, int i, int port) throws Exception {
        Concat key = Concat.of(CLIENT, SERVER, port);
        long t0 = System.nanoTime();
        ours.apply(batch.clear().addMapElement("proxy_dnat4", key, Concat.of(SERVER, port), TIMEOUT));
        long t1 = System.nanoTime();
        ours.apply(batch.clear().deleteElement("proxy_dnat4", key));
        long t2 = System.nanoTime();
        batch.clear()
                .destroyElement("proxy_dnat4", Concat.of(CLIENT, PUBLISHED, port - 1))
                .destroyElement("proxy_snat4", Concat.of(CLIENT, SERVER, port - 1))
                .addMapElement("proxy_dnat4", Concat.of(CLIENT, PUBLISHED, port), Concat.of(SERVER, port), TIMEOUT)
                .addMapElement("proxy_snat4", Concat.of(CLIENT, SERVER, port), Concat.of(SNAT), TIMEOUT);
        long t3 = System.nanoTime();
        ours.apply(batch);
        long t4 = System.nanoTime();
        lat[0][i] = t1 - t0;
        lat[1][i] = t2 - t1;
        lat[2][i] = t4 - t3;
    }

    /** The same element as the controller writes it today: nft text built from typed values. */
    private static void viaLibnftables(NftContext nft, int i, int port) throws Exception {
        String key = CLIENT_NFT + " . " + SERVER + " . " + port;
        long t0 = System.nanoTime();
        nft.run("add element inet ftpnat proxy_dnat4 { " + key + " timeout 30s : " + SERVER + " . " + port + " }");
        long t1 = System.nanoTime();
        nft.run("delete element inet ftpnat proxy_dnat4 { " + key + " }");
        long t2 = System.nanoTime();
        String oldDnat = CLIENT_NFT + " . " + PUBLISHED + " . " + (port - 1);
        String oldSnat = CLIENT_NFT + " . " + SERVER + " . " + (port - 1);
        String text = "add element inet ftpnat proxy_dnat4 { " + oldDnat + " timeout 1s : " + SERVER + " . " + (port - 1) + " }\n"
                + "delete element inet ftpnat proxy_dnat4 { " + oldDnat + " }\n"
                + "add element inet ftpnat proxy_snat4 { " + oldSnat + " timeout 1s : " + SNAT + " }\n"
                + "delete element inet ftpnat proxy_snat4 { " + oldSnat + " }\n"
                + "add element inet ftpnat proxy_dnat4 { " + CLIENT_NFT + " . " + PUBLISHED + " . " + port + " timeout 30s : "
                + SERVER + " . " + port + " }\n"
                + "add element inet ftpnat proxy_snat4 { " + CLIENT_NFT + " . " + SERVER + " . " + port + " timeout 30s : " + SNAT + " }\n";
        long t3 = System.nanoTime();
        nft.run(text);
        long t4 = System.nanoTime();
        lat[3][i] = t1 - t0;
        lat[4][i] = t2 - t1;
        lat[5][i] = t4 - t3;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
