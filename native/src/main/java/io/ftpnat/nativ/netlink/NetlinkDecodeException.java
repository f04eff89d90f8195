package io.ftpnat.nativ.netlink;

/**
 * Bytes from the kernel (or from a fixture, or a fuzzer) did not form a valid message: a length
 * runs past its container, an attribute has the wrong size, a mandatory attribute is missing.
 * The decoder raises only this type for bad input.
 */
public final class NetlinkDecodeException extends NetlinkException {
    public NetlinkDecodeException(String problem) {
        super("decode", problem);
    }
}
