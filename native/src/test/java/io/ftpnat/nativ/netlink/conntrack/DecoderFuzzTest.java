package io.ftpnat.nativ.netlink.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.ftpnat.nativ.netlink.Fixture;
import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.NetlinkConnection;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.log.NflogPacket;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The decoders against random bytes and mutated real messages (the golden fixtures): the only
 * exception allowed is ours (a {@link NetlinkDecodeException}, or a {@link NetlinkException}
 * carrying the errno of a decoded NLMSG_ERROR); never another exception, never a hang.
 */
public class DecoderFuzzTest {
    private static final List<byte[]> REAL = new ArrayList<>();

    static {
        for (String f : List.of("ct-dump", "ct-dump-ipv6", "ct-events", "ct-get", "ct-get-missing", "exp-dump", "exp-events", "nflog-packets")) {
            REAL.addAll(Fixture.load(f).received()); // every fixture is in the repository: a missing one fails
        }
    }

    /** Decodes every message of a datagram with the decoder its subsystem selects. */
    static int decodeAny(byte[] datagram) throws NetlinkException {
        return decodeAny(Fixture.direct(datagram), datagram.length);
    }

    /**
     * The same over the first {@code length} bytes of a direct host-order buffer, as the receive
     * path holds them (the fuzz campaign reuses one buffer: NetlinkFuzzTest).
     */
    public static int decodeAny(ByteBuffer b, int length) throws NetlinkException {
        int[] n = new int[1];
        NetlinkConnection.forEachMessage(b, length, (buf, type, flags, p, e) -> {
            switch (type >> 8) {
                // printed too: the daemon logs and shows what it decoded, so formatting must hold as well
                case Netlink.NFNL_SUBSYS_CTNETLINK -> Conntrack.decode(buf, p, e).toString();
                case Netlink.NFNL_SUBSYS_CTNETLINK_EXP -> Expectation.decode(buf, p, e).toString();
                case Netlink.NFNL_SUBSYS_ULOG -> NflogPacket.decode(buf, p, e).toString();
                default -> { }
            }
            n[0]++;
        });
        return n[0];
    }

    static void assertOnlyOurExceptions(byte[] datagram) {
        try {
            decodeAny(datagram);
        } catch (NetlinkDecodeException expected) {
            // fine: malformed input reported as such
        } catch (NetlinkException kernelError) {
            assertThat(kernelError.errno()).isNotZero();
        }
    }

    @Property(tries = 3000, seed = "20261201")
    void randomBytes(@ForAll("randomDatagrams") byte[] datagram) {
        assertOnlyOurExceptions(datagram);
    }

    @Provide
    Arbitrary<byte[]> randomDatagrams() {
        // random bodies behind a plausible header, so the attribute decoders are reached too
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<Integer> type = Arbitraries.of(0x100, 0x102, 0x200, 0x202, 0x400, 2, 3, 0x101);
        return Combinators.combine(body, type, Arbitraries.integers().between(-8, 8)).as((b, t, fudge) -> {
            int len = Math.max(0, 16 + b.length + fudge);
            ByteBuffer out = ByteBuffer.allocate(16 + b.length).order(java.nio.ByteOrder.nativeOrder());
            out.putInt(len).putShort((short) (int) t).putShort((short) 0).putInt(0).putInt(0).put(b);
            return out.array();
        });
    }

    @Property(tries = 4000, seed = "20261201")
    void mutatedRealMessages(@ForAll("mutants") byte[] datagram) {
        assertOnlyOurExceptions(datagram);
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        Arbitrary<byte[]> real = Arbitraries.of(REAL);
        Arbitrary<List<int[]>> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE)
                .flatMap(pos -> Arbitraries.integers().between(0, 255).map(v -> new int[] {pos, v}))
                .list().ofMinSize(1).ofMaxSize(8);
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, 100);
        return Combinators.combine(real, edits, cut, Arbitraries.of(0, 1, 2)).as((r, es, c, mode) -> {
            byte[] m = r.clone();
            for (int[] e : es) {
                m[e[0] % m.length] = (byte) e[1];
            }
            if (mode == 1) {
                m = java.util.Arrays.copyOf(m, Math.max(0, m.length - 1 - c));
            } else if (mode == 2 && m.length > 24) {
                // rewrite one 16-bit length in the attribute area to something hostile
                int at = 20 + (es.get(0)[0] % (m.length - 22));
                m[at] = (byte) es.get(0)[1];
                m[at + 1] = (byte) (es.size() * 31);
            }
            return m;
        });
    }

    @Property(tries = 50, seed = "20261201")
    void unmutatedRealMessagesDecode(@ForAll("realMessages") byte[] datagram) throws Exception {
        assertThat(decodeAny(datagram)).isPositive();
    }

    @Provide
    Arbitrary<byte[]> realMessages() {
        return Arbitraries.of(REAL.stream().filter(d -> d.length > 40 && FakeTransport.Messages.type(d) >= 0x100).toList());
    }
}
