package io.ftpnat.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3): one datagram per message on the unix socket systemd names in $NOTIFY_SOCKET (a
 * path, or an abstract name written with a leading '@'). The JDK has no unix datagram sockets:
 * jnr-unixsocket's channel does it. Without $NOTIFY_SOCKET (not started by systemd, or not
 * Type=notify) every message is dropped quietly, as libsystemd does.
 */
final class SystemdNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    /** The kernel's limit is far higher; systemd reads notifications into a small fixed buffer. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private final UnixSocketAddress target;
    private final Optional<Duration> watchdog;
    private UnixDatagramChannel channel;
    private boolean warned;

    private SystemdNotifier(UnixSocketAddress target, Optional<Duration> watchdog) {
        this.target = target;
        this.watchdog = watchdog;
    }

    static SystemdNotifier fromEnvironment() {
        return of(System.getenv(), ProcessHandle.current().pid());
    }

    /** From an environment, as sd_notify and sd_watchdog_enabled read it. */
    static SystemdNotifier of(Map<String, String> env, long pid) {
        String socket = env.get("NOTIFY_SOCKET");
        UnixSocketAddress target = null;
        if (socket != null && (socket.startsWith("/") || socket.startsWith("@")) && socket.length() > 1) {
            target = new UnixSocketAddress(socket.startsWith("@") ? "\0" + socket.substring(1) : socket);
        }
        return new SystemdNotifier(target, watchdogInterval(env, pid));
    }

    /** WATCHDOG_USEC, if it is meant for this process (WATCHDOG_PID absent or ours). */
    static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        try {
            String forPid = env.get("WATCHDOG_PID");
            if (forPid != null && Long.parseLong(forPid.trim()) != pid) {
                return Optional.empty();
            }
            String usec = env.get("WATCHDOG_USEC");
            long micros = usec == null ? 0 : Long.parseLong(usec.trim());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean enabled() {
        return target != null;
    }

    /** The watchdog interval systemd expects pings within (WatchdogSec=), if any. */
    Optional<Duration> watchdog() {
        return target == null ? Optional.empty() : watchdog;
    }

    /** Sends one message ("READY=1\nSTATUS=..."); a failure is logged once, never thrown. */
    synchronized void send(String message) {
        if (target == null) {
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("notification longer than " + MAX_MESSAGE_BYTES + " bytes");
        }
        try {
            if (channel == null) {
                channel = UnixDatagramChannel.open();
            }
            channel.send(ByteBuffer.wrap(bytes), target);
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("cannot notify systemd on {}: {}", target.humanReadablePath(), e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to tell
            }
            channel = null;
        }
    }
}
