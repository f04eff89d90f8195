package io.ftpnat.nativ.netlink;

import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the netlink layer needs. Public only because jnr-ffi generates the
 * implementation in another class loader; nothing outside this package should call it.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int addrlen);

    int getsockname(int fd, Pointer addr, Pointer addrlen);

    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

    @ssize_t long sendto(int fd, Pointer buf, @size_t long len, int flags, Pointer addr, int addrlen);

    @ssize_t long recv(int fd, Pointer buf, @size_t long len, int flags);

    int poll(Pointer fds, long nfds, int timeout);

    int close(int fd);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    int gettid();

    int setpriority(int which, int who, int prio);

    int getpriority(int which, int who);
}
