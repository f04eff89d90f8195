package io.ftpnat.nativ.netlink;

/** Linux errno numbers the netlink layer meets, with their symbolic names (asm-generic/errno*.h). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ETIME = 62;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;

    private Errno() {
    }

    /** The symbolic name of an errno, e.g. {@code ENOENT}; {@code errno N} when unknown. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case 3 -> "ESRCH";
            case EINTR -> "EINTR";
            case 5 -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case 19 -> "ENODEV";
            case EINVAL -> "EINVAL";
            case 23 -> "ENFILE";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ETIME -> "ETIME";
            case 71 -> "EPROTO";
            case 90 -> "EMSGSIZE";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case ENOBUFS -> "ENOBUFS";
            case ETIMEDOUT -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }
}
