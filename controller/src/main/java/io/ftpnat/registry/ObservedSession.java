package io.ftpnat.registry;

import io.ftpnat.conntrack.FtpSessions;
import io.ftpnat.session.SessionSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * A control connection that carries the kernel's ftp helper: as the kernel's tables show it now
 * (when they were read: {@code sessions} reads them afresh, {@code session show} does not), and as
 * the session model knows it (its dialogue, channels, repairs, diagnosis), when it does.
 */
public record ObservedSession(String id, Optional<FtpSessions.KernelSession> kernel, Optional<SessionSnapshot> model)
        implements Session {
    public ObservedSession {
        if (kernel.isEmpty() && model.isEmpty()) {
            throw new IllegalArgumentException("session " + id + ": neither the kernel's view nor the model's");
        }
    }

    @Override
    public String rule() {
        return model.map(SessionSnapshot::rule).orElse("");
    }

    /** The data channels the model knows, oldest first (the latest {@code FtpSession.MAX_CHANNELS}); none without the model's view. */
    @Override
    public List<DataChannel> channels() {
        return model.map(ChannelConversion::observed).orElse(List.of());
    }
}
