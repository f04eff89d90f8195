package io.ftpnat.nativ.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * libnftables through jnr-ffi. Only dry runs here: they are validated by the kernel and then
 * aborted, so nothing changes in the machine's own namespace. Real applies are tested in the
 * namespace lab (tests/).
 */
class NftContextTest {
    private static final String TABLE = """
            table inet ftpnat_unit {
              ct helper ftp { type "ftp" protocol tcp; l3proto inet; }
              chain forward { type filter hook forward priority -10; policy accept;
                iifname "r0" tcp dport 21 ct state new ct helper set "ftp"
              }
            }
            """;

    @Test
    void aValidTableChecksCleanInADryRun() throws Exception {
        try (NftContext nft = NftContext.open()) {
            NftResult result = nft.check(TABLE);
            assertThat(result.error()).isEmpty();
        }
    }

    @Test
    void aSyntaxErrorIsReportedVerbatimWithLineAndColumn() throws Exception {
        try (NftContext nft = NftContext.open()) {
            assertThatThrownBy(() -> nft.check("table inet t { chain c { tcp dport 70000 accept } }"))
                    .isInstanceOf(NftException.class)
                    .satisfies(e -> assertThat(((NftException) e).nftError())
                            .contains("Error:")
                            .contains("70000"));
        }
    }

    @Test
    void anUnknownHelperTypeIsRejectedByTheKernelInADryRun() throws Exception {
        try (NftContext nft = NftContext.open()) {
            assertThatThrownBy(() -> nft.check(
                    "table inet ftpnat_unit { ct helper x { type \"no-such-helper\" protocol tcp; l3proto inet; } }"))
                    .isInstanceOf(NftException.class)
                    .hasMessageContaining("no-such-helper");
        }
    }

    @Test
    void theContextIsReusableAfterAnError() throws Exception {
        try (NftContext nft = NftContext.open()) {
            NftException error = assertThrows(NftException.class, () -> nft.check("this is not nftables"));
            assertThat(error.nftError()).isNotBlank();
            assertThat(nft.check(TABLE).error()).isEmpty();
        }
    }
}
