package io.ftpnat.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify as systemd receives it: datagrams on the socket $NOTIFY_SOCKET names. */
class SystemdNotifierTest {
    @TempDir
    Path dir;

    @Test
    void theStatesArriveAsSystemdReadsThem() throws Exception {
        Path socket = dir.resolve("notify");
        try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
            systemd.bind(new UnixSocketAddress(socket.toFile()));
            try (SystemdNotifier n = SystemdNotifier.of(Map.of("NOTIFY_SOCKET", socket.toString()), 1)) {
                ServiceState state = new ServiceState(n);
                assertThat(state.state()).isEqualTo(ServiceState.State.STARTING);
                state.ready("serving policy abc\nwith a second line");
                assertThat(receive(systemd)).isEqualTo("READY=1\nSTATUS=serving policy abc with a second line");
                state.reloading("SIGHUP");
                assertThat(receive(systemd)).startsWith("RELOADING=1\nMONOTONIC_USEC=").endsWith("\nSTATUS=SIGHUP");
                assertThat(state.ready()).isFalse();
                n.send("WATCHDOG=1");
                assertThat(receive(systemd)).isEqualTo("WATCHDOG=1");
            }
        }
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNothingFails() {
        try (SystemdNotifier n = SystemdNotifier.of(Map.of("WATCHDOG_USEC", "3000000"), 1)) {
            assertThat(n.enabled()).isFalse();
            assertThat(n.watchdog()).as("no watchdog without a socket to ping").isEmpty();
            n.send("READY=1");
        }
    }

    @Test
    void theWatchdogIntervalIsOnlyForTheProcessItNames() {
        assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000"), 7)).contains(Duration.ofSeconds(3));
        assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "7"), 7))
                .contains(Duration.ofSeconds(3));
        assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "8"), 7)).isEmpty();
        assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "x"), 7)).isEqualTo(Optional.empty());
    }

    @Test
    void aMissingSocketIsLoggedNotThrown() {
        try (SystemdNotifier n = SystemdNotifier.of(Map.of("NOTIFY_SOCKET", dir.resolve("none").toString()), 1)) {
            n.send("READY=1");
            assertThat(Files.exists(dir.resolve("none"))).isFalse();
        }
    }

    @Test
    void metricsListenTakesLiteralAddressesOnly() {
        assertThat(MetricsEndpoint.parse("127.0.0.1:9121").getPort()).isEqualTo(9121);
        assertThat(MetricsEndpoint.parse("[::1]:9121").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        for (String bad : new String[] {"9121", "localhost:9121", "::1:9121", "127.0.0.1:0", "127.0.0.1:x", "127.0.0.1:"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetricsEndpoint.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String receive(UnixDatagramChannel ch) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        ch.receive(buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }
}
