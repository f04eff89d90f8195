package io.ftpnat.nativ.netlink;

import java.io.IOException;

/**
 * A netlink request failed. When the kernel (or a syscall) refused it, {@link #errno()} is the
 * positive errno and the message names it ({@code ENOENT (2)}) together with the request, e.g.
 * {@code "delete conntrack tcp 10.0.0.1:1 -> 10.0.0.2:21: ENOENT (2)"}. {@code errno() == 0} for
 * failures that are not an errno (a timeout waiting for the kernel, a malformed reply).
 */
public class NetlinkException extends IOException {
    private final String request;
    private final int errno;

    public NetlinkException(String request, int errno) {
        super(request + ": " + Errno.name(errno) + " (" + errno + ")");
        this.request = request;
        this.errno = errno;
    }

    public NetlinkException(String request, String problem) {
        super(request + ": " + problem);
        this.request = request;
        this.errno = 0;
    }

    /** What we asked the kernel to do. */
    public String request() {
        return request;
    }

    /** The positive errno, or 0. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name ({@code ENOENT}), or an empty string when there is none. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }
}
