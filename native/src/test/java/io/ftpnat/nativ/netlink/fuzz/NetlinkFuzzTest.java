package io.ftpnat.nativ.netlink.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ftpnat.nativ.netlink.NetlinkDecodeException;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.DecoderFuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Campaign "netlink" (docs/security-fuzz.md): datagrams as the kernel's ctnetlink and NFLOG
 * sockets deliver them, into the decoders the daemon runs on them (conntrack entries and events,
 * expectations, NFLOG packets; attribute nesting, lengths). Seeds: the golden captures of
 * src/test/resources/netlink, one datagram per file, in NetlinkFuzzTestInputs/datagrams.
 *
 * <p>Invariants: the only exceptions are ours ({@link NetlinkDecodeException}, or a
 * {@link NetlinkException} with the errno of an NLMSG_ERROR); a datagram of n bytes yields at
 * most n/16 messages; every decoded value prints. Hangs and heap exhaustion are the engine's to
 * catch (libFuzzer -timeout, -Xmx). {@code mvn test} runs the seeds only; scripts/fuzz.sh netlink
 * runs the campaign.
 */
public class NetlinkFuzzTest {
    @FuzzTest
    void datagrams(byte[] datagram) {
        fuzzerTestOneInput(datagram);
    }

    /** Jazzer's standalone entry point (scripts/fuzz.sh): the same check, without JUnit around it. */
    public static void fuzzerTestOneInput(byte[] datagram) {
        // a heap buffer over the input, host order as the receive path's: the decoders read it in place
        ByteBuffer buffer = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int n = datagram.length;
        try {
            int messages = DecoderFuzzTest.decodeAny(buffer, n);
            assertThat(messages).isBetween(0, n / 16);
        } catch (NetlinkDecodeException expected) {
            // malformed input reported as such
        } catch (NetlinkException kernelError) {
            assertThat(kernelError.errno()).isNotZero();
        }
    }

    /** Called by Jazzer after the last input: the campaign's memory figure for scripts/fuzz.sh. */
    public static void fuzzerTearDown() {
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.err.println("peak heap used: " + peak / (1024 * 1024) + " MiB (sum of the heap pools' peaks)");
    }
}
