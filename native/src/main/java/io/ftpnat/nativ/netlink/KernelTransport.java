package io.ftpnat.nativ.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.kenai.jffi.MemoryIO;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A real AF_NETLINK socket through jnr-ffi. The socket belongs to the network namespace of the
 * thread that opened it (see {@link NetworkNamespace}) and stays there.
 */
public final class KernelTransport implements NetlinkTransport {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_NETFILTER = 12;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_ATTACH_FILTER = 26;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_ADD_MEMBERSHIP = 1;
    static final int NETLINK_DROP_MEMBERSHIP = 2;
    static final int NETLINK_EXT_ACK = 11;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final short POLLIN = 1;

    static final LibC LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final int fd;
    private final int portId;
    /** Scratch for sockaddr_nl, socket options and pollfd: 16 bytes, native order. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final Pointer scratchPtr = pointer(scratch);
    /**
     * send's own sockaddr: one thread may send (a verdict on a queued packet) while another waits
     * in {@link #receive}, whose poll structure lives in {@link #scratch}.
     */
    private final ByteBuffer sendAddress = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final Pointer sendAddressPtr = pointer(sendAddress);
    private volatile boolean closed;

    private KernelTransport(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /** Opens and binds a netlink socket of the given protocol (e.g. {@link #NETLINK_NETFILTER}) in the calling thread's network namespace. */
    public static KernelTransport open(int protocol) throws NetlinkException {
        int fd = LIBC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new NetlinkException("socket(AF_NETLINK, " + protocol + ")", RUNTIME.getLastError());
        }
        ByteBuffer addr = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        addr.putShort(0, (short) AF_NETLINK); // nl_family; nl_pad, nl_pid=0 (kernel assigns), nl_groups=0
        Pointer p = pointer(addr);
        if (LIBC.bind(fd, p, 12) < 0) {
            int errno = RUNTIME.getLastError();
            LIBC.close(fd);
            throw new NetlinkException("bind(AF_NETLINK)", errno);
        }
        addr.putInt(12, 12);
        if (LIBC.getsockname(fd, p, p.slice(12)) < 0) {
            int errno = RUNTIME.getLastError();
            LIBC.close(fd);
            throw new NetlinkException("getsockname(AF_NETLINK)", errno);
        }
        KernelTransport t = new KernelTransport(fd, addr.getInt(4));
        t.setIntOption(SOL_NETLINK, NETLINK_EXT_ACK, 1, true);
        return t;
    }

    static Pointer pointer(ByteBuffer direct) {
        return Pointer.wrap(RUNTIME, MEMORY.getDirectBufferAddress(direct));
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(ByteBuffer src, String what) throws NetlinkException {
        checkOpen(what);
        Pointer p = pointer(src).slice(src.position());
        sendAddress.putInt(0, 0).putInt(4, 0).putInt(8, 0);
        sendAddress.putShort(0, (short) AF_NETLINK);
        long n = LIBC.sendto(fd, p, src.remaining(), 0, sendAddressPtr, 12);
        if (n < 0) {
            throw new NetlinkException(what, RUNTIME.getLastError());
        }
    }

    @Override
    public int receive(ByteBuffer dst, int timeoutMillis) throws NetlinkException {
        checkOpen("recv");
        while (true) {
            if (timeoutMillis >= 0) {
                scratch.putInt(0, fd).putShort(4, POLLIN).putShort(6, (short) 0);
                int r = LIBC.poll(scratchPtr, 1, timeoutMillis);
                if (r < 0) {
                    int errno = RUNTIME.getLastError();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new NetlinkException("poll(netlink)", errno);
                }
                if (r == 0) {
                    return -1;
                }
            }
            long n = LIBC.recv(fd, pointer(dst), dst.capacity(), MSG_TRUNC | (timeoutMillis >= 0 ? MSG_DONTWAIT : 0));
            if (n < 0) {
                int errno = RUNTIME.getLastError();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    return -1;
                }
                throw new NetlinkException("recv(netlink)", errno);
            }
            if (n > dst.capacity()) {
                throw new NetlinkException("recv(netlink)",
                        "datagram of " + n + " bytes truncated to the " + dst.capacity() + "-byte receive buffer");
            }
            dst.position(0).limit((int) n);
            return (int) n;
        }
    }

    /**
     * One thread's wait on several sockets at once (one poll(2) over them), so that thread can serve
     * them all in the order it chooses. Not thread-safe; the sockets stay owned by their users.
     */
    public static final class Poller {
        private final KernelTransport[] transports;
        private final ByteBuffer fds;
        private final Pointer fdsPtr;

        public Poller(KernelTransport... transports) {
            if (transports.length == 0 || transports.length > 31) {
                throw new IllegalArgumentException("1 to 31 sockets");
            }
            this.transports = transports.clone();
            this.fds = ByteBuffer.allocateDirect(8 * transports.length).order(ByteOrder.nativeOrder());
            this.fdsPtr = pointer(fds);
        }

        /**
         * Waits at most {@code timeoutMillis} until a datagram is waiting on any of the sockets: bit
         * {@code i} of the result is set when socket {@code i} has one (or an error to report, which
         * its receive then raises); 0 on timeout.
         */
        public int await(int timeoutMillis) throws NetlinkException {
            for (int i = 0; i < transports.length; i++) {
                transports[i].checkOpen("poll(netlink)");
                fds.putInt(8 * i, transports[i].fd).putShort(8 * i + 4, POLLIN).putShort(8 * i + 6, (short) 0);
            }
            while (true) {
                int r = LIBC.poll(fdsPtr, transports.length, timeoutMillis);
                if (r >= 0) {
                    int ready = 0;
                    for (int i = 0; r > 0 && i < transports.length; i++) {
                        if (fds.getShort(8 * i + 6) != 0) {
                            ready |= 1 << i;
                        }
                    }
                    return ready;
                }
                int errno = RUNTIME.getLastError();
                if (errno != Errno.EINTR) {
                    throw new NetlinkException("poll(netlink)", errno);
                }
            }
        }
    }

    @Override
    public void joinGroup(int group) throws NetlinkException {
        setIntOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group, false);
    }

    @Override
    public void leaveGroup(int group) throws NetlinkException {
        setIntOption(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group, false);
    }

    @Override
    public int setReceiveBufferSize(int bytes) throws NetlinkException {
        try {
            setIntOption(SOL_SOCKET, SO_RCVBUFFORCE, bytes, false);
        } catch (NetlinkException e) {
            setIntOption(SOL_SOCKET, SO_RCVBUF, bytes, false);
        }
        scratch.putInt(0, 0).putInt(4, 4);
        if (LIBC.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, scratchPtr, scratchPtr.slice(4)) < 0) {
            throw new NetlinkException("getsockopt(SO_RCVBUF)", RUNTIME.getLastError());
        }
        return scratch.getInt(0);
    }

    @Override
    public boolean attachFilter(SocketFilter program) throws NetlinkException {
        checkOpen("setsockopt(SO_ATTACH_FILTER)");
        // struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k (native order); the kernel copies it
        ByteBuffer insns = ByteBuffer.allocateDirect(8 * program.length()).order(ByteOrder.nativeOrder());
        for (SocketFilter.Instruction in : program.instructions()) {
            insns.putShort((short) in.code()).put((byte) in.jt()).put((byte) in.jf()).putInt(in.k());
        }
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is aligned
        int ptrSize = RUNTIME.addressSize();
        ByteBuffer fprog = ByteBuffer.allocateDirect(2 * ptrSize).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) program.length());
        long address = MEMORY.getDirectBufferAddress(insns);
        if (ptrSize == 8) {
            fprog.putLong(8, address);
        } else {
            fprog.putInt(4, (int) address);
        }
        if (LIBC.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, pointer(fprog), fprog.capacity()) < 0) {
            throw new NetlinkException("setsockopt(SO_ATTACH_FILTER, " + program.length() + " instructions)",
                    RUNTIME.getLastError());
        }
        return true;
    }

    private void setIntOption(int level, int name, int value, boolean optional) throws NetlinkException {
        checkOpen("setsockopt");
        scratch.putInt(0, value);
        if (LIBC.setsockopt(fd, level, name, scratchPtr, 4) < 0 && !optional) {
            throw new NetlinkException("setsockopt(" + level + ", " + name + ", " + value + ")", RUNTIME.getLastError());
        }
    }

    private void checkOpen(String what) throws NetlinkException {
        if (closed) {
            throw new NetlinkException(what, Errno.EBADF);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LIBC.close(fd);
        }
    }
}
