package io.ftpnat.nativ.nft;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * One libnftables context ({@code struct nft_ctx}) with buffered output and error. A whole command
 * buffer handed to {@link #run} is one netlink batch, so the kernel applies it as a single
 * transaction: all of it or none of it.
 *
 * <p>Not thread-safe: libnftables contexts are not. Use one per thread, or serialise.
 */
public final class NftContext implements AutoCloseable {
    private static final String LIBRARY = "nftables";

    private final LibNftables lib;
    private Pointer ctx;

    private NftContext(LibNftables lib, Pointer ctx) {
        this.lib = lib;
        this.ctx = ctx;
    }

    /**
     * Opens a context. Fails with a message naming the Debian package when libnftables.so.1 is not
     * installed, rather than jnr's generic "library not found".
     */
    public static NftContext open() throws NftException {
        LibNftables lib;
        try {
            lib = LibraryLoader.create(LibNftables.class)
                    .search("/usr/lib/x86_64-linux-gnu")
                    .search("/usr/lib/aarch64-linux-gnu")
                    .search("/usr/lib")
                    .library("libnftables.so.1")
                    .library(LIBRARY)
                    .failImmediately()
                    .load();
        } catch (LinkageError | RuntimeException e) {
            throw new NftException("cannot load libnftables.so.1 (Debian package libnftables1)", String.valueOf(e.getMessage()));
        }
        Pointer ctx = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (ctx == null) {
            throw new NftException("nft_ctx_new failed", "");
        }
        lib.nft_ctx_buffer_output(ctx);
        lib.nft_ctx_buffer_error(ctx);
        return new NftContext(lib, ctx);
    }

    /** Runs a command buffer (nftables text or JSON, which libnftables detects) for real. */
    public NftResult run(String commands) throws NftException {
        return execute(commands, false, false);
    }

    /** Runs a command buffer and asks for JSON output (e.g. {@code list table inet ftpnat}). */
    public NftResult runJson(String commands) throws NftException {
        return execute(commands, false, true);
    }

    /**
     * Checks a command buffer without applying it: libnftables sends the batch and the kernel
     * validates every object (helper types, chain hooks, expressions), then aborts it.
     */
    public NftResult check(String commands) throws NftException {
        return execute(commands, true, false);
    }

    private NftResult execute(String commands, boolean dryRun, boolean json) throws NftException {
        Pointer c = live();
        int flags = lib.nft_ctx_output_get_flags(c);
        lib.nft_ctx_output_set_flags(c, json ? flags | LibNftables.NFT_CTX_OUTPUT_JSON : flags & ~LibNftables.NFT_CTX_OUTPUT_JSON);
        lib.nft_ctx_set_dry_run(c, dryRun);
        try {
            int rc = lib.nft_run_cmd_from_buffer(c, commands);
            // Reading a buffer also resets it, so both are read on every path.
            NftResult result = new NftResult(lib.nft_ctx_get_output_buffer(c), lib.nft_ctx_get_error_buffer(c));
            if (rc != 0) {
                throw new NftException(dryRun ? "nftables rejected the ruleset (dry run)" : "nftables rejected the ruleset", result.error());
            }
            return result;
        } finally {
            lib.nft_ctx_set_dry_run(c, false);
            lib.nft_ctx_output_set_flags(c, flags);
        }
    }

    private Pointer live() {
        if (ctx == null) {
            throw new IllegalStateException("NftContext is closed");
        }
        return ctx;
    }

    @Override
    public void close() {
        if (ctx != null) {
            lib.nft_ctx_free(ctx);
            ctx = null;
        }
    }
}
