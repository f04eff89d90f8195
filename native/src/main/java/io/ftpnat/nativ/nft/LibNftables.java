package io.ftpnat.nativ.nft;

import jnr.ffi.Pointer;

/**
 * The part of libnftables' C API we use (nftables/libnftables.h). Public only because jnr-ffi
 * generates its implementation in another class loader; callers
 * go through {@link NftContext}, which owns the context's lifetime and its buffers.
 */
public interface LibNftables {
    int NFT_CTX_DEFAULT = 0;
    int NFT_CTX_OUTPUT_JSON = 1 << 4;
    int NFT_CTX_OUTPUT_HANDLE = 1 << 3;

    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    int nft_ctx_output_get_flags(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, int flags);

    void nft_ctx_set_dry_run(Pointer ctx, boolean dry);

    int nft_run_cmd_from_buffer(Pointer ctx, String buf);

    int nft_run_cmd_from_filename(Pointer ctx, String filename);
}
