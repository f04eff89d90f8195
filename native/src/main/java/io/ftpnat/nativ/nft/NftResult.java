package io.ftpnat.nativ.nft;

/** What libnftables answered to one command buffer: its output and its error text, verbatim. */
public record NftResult(String output, String error) {
    public NftResult {
        output = output == null ? "" : output;
        error = error == null ? "" : error;
    }
}
