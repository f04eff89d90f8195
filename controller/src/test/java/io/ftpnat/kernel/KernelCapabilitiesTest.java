package io.ftpnat.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.nativ.nft.NftContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCapabilitiesTest {
    @Test
    void aMissingHelperIsNamedWithTheKernelsWordsAndARemedy() {
        KernelCapabilities caps = new KernelCapabilities(
                Map.of(Capability.FTP_HELPER, "Error: Could not process rule: No such file or directory"), List.of());
        assertThat(caps.complete()).isFalse();
        assertThat(caps.summary()).isEqualTo("nf_tables ok, conntrack ok, ftp helper MISSING, nat ok");
        assertThat(caps.describeMissing()).isEqualTo("missing ftp helper - the kernel FTP helper (nf_conntrack_ftp): "
                + "Error: Could not process rule: No such file or directory (try: modprobe nf_conntrack_ftp nf_nat_ftp)");
    }

    @Test
    void everyProbeIsValidNftablesThatThisKernelAccepts() throws Exception {
        // Dry runs only: the kernel validates each probe and aborts it.
        try (NftContext nft = NftContext.open()) {
            KernelCapabilities caps = KernelCapabilities.probe(nft);
            assertThat(caps.missing()).as(caps.describeMissing()).isEmpty();
        }
    }
}
