package io.ftpnat.nativ.nft;

/**
 * libnftables refused a command buffer. {@link #nftError()} is libnftables' own error text,
 * verbatim (it already names the line and marks the column of the offending input), so that an
 * operator sees exactly what {@code nft -f} would have printed.
 */
public final class NftException extends Exception {
    private final String nftError;

    public NftException(String what, String nftError) {
        super(what + (nftError.isBlank() ? "" : ":\n" + nftError.stripTrailing()));
        this.nftError = nftError;
    }

    public String nftError() {
        return nftError;
    }
}
