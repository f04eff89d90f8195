package io.ftpnat.nativ.netlink.log;

/** Receives NFLOG packets; {@link #onPacketsLost()} when the kernel dropped some (ENOBUFS). */
public interface NflogHandler {
    void onPacket(NflogPacket packet);

    default void onPacketsLost() {
    }
}
