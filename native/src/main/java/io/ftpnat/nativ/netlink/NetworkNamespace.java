package io.ftpnat.nativ.netlink;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs code inside a named network namespace ({@code /run/netns/NAME}, as made by
 * {@code ip netns add}). A dedicated thread enters the namespace with {@code setns(CLONE_NEWNET)}
 * and runs the tasks; sockets opened there stay bound to that namespace, so the usual pattern is
 * to open the netlink socket in {@link #call} and use it from any thread afterwards.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private final String name;
    private final ExecutorService thread;

    private NetworkNamespace(String name, ExecutorService thread) {
        this.name = name;
        this.thread = thread;
    }

    /** Enters {@code /run/netns/NAME} on a new dedicated thread. */
    public static NetworkNamespace enter(String name) throws NetlinkException {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
        NetworkNamespace ns = new NetworkNamespace(name, thread);
        try {
            ns.call(() -> {
                String path = "/run/netns/" + name;
                int fd = KernelTransport.LIBC.open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                    throw new NetlinkException("open(" + path + ")", KernelTransport.RUNTIME.getLastError());
                }
                try {
                    if (KernelTransport.LIBC.setns(fd, CLONE_NEWNET) < 0) {
                        throw new NetlinkException("setns(" + path + ", CLONE_NEWNET)", KernelTransport.RUNTIME.getLastError());
                    }
                } finally {
                    KernelTransport.LIBC.close(fd);
                }
                return null;
            });
        } catch (NetlinkException e) {
            thread.shutdownNow();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code task} on the namespace's thread and waits (at most 60 s) for its result. */
    public <T> T call(Callable<T> task) throws NetlinkException {
        Future<T> f = thread.submit(task);
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NetlinkException ne) {
                throw ne;
            }
            throw new NetlinkException("in netns " + name, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new NetlinkException("in netns " + name, Errno.ETIMEDOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetlinkException("in netns " + name, Errno.EINTR);
        }
    }

    /** Opens a netlink socket of the given protocol inside the namespace. */
    public KernelTransport openNetlink(int protocol) throws NetlinkException {
        return call(() -> KernelTransport.open(protocol));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
