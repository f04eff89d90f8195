package io.ftpnat.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A sysctl number is read whole (Files.readString returned its first digit only). */
class ProcSysTest {
    @Test
    void readsEveryDigitOfASysctl() throws Exception {
        Path pidMax = Path.of("/proc/sys/kernel/pid_max"); // always there, always several digits
        Process cat = new ProcessBuilder("cat", pidMax.toString()).start();
        long expected = Long.parseLong(new String(cat.getInputStream().readAllBytes()).trim());
        assertThat(expected).isGreaterThan(9);
        assertThat(ProcSys.number(pidMax)).isEqualTo(expected);
    }

    @Test
    void aMissingFileIsMinusOneNotZero() {
        assertThat(ProcSys.number(Path.of("/proc/sys/net/netfilter/no_such_sysctl"))).isEqualTo(-1);
    }
}
