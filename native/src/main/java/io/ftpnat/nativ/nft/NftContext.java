package io.ftpnat.nativ.nft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path script = null;
        try {
            int rc;
            if (commands.indexOf('\n') >= 0 && commands.indexOf('\n') < commands.length() - 1) {
                // libnftables 1.0.6 quotes the buffer's first line under every error of a multi-line
                // buffer; read from a file, its errors name the right line and column.
                script = Files.createTempFile("ftpnat-", ".nft");
                Files.writeString(script, commands, StandardCharsets.UTF_8);
                rc = lib.nft_run_cmd_from_filename(c, script.toString());
            } else {
                rc = lib.nft_run_cmd_from_buffer(c, commands);
            }
            // Reading a buffer also resets it, so both are read on every path.
            NftResult result = new NftResult(lib.nft_ctx_get_output_buffer(c), lib.nft_ctx_get_error_buffer(c));
            if (rc != 0) {
                throw new NftException(dryRun ? "nftables rejected the ruleset (dry run)" : "nftables rejected the ruleset", result.error());
            }
            return result;
        } catch (IOException e) {
            throw new NftException("cannot write the ruleset to a temporary file", String.valueOf(e.getMessage()));
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a stale temp file is harmless
                }
            }
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
