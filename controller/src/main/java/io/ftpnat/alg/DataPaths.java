package io.ftpnat.alg;

import io.ftpnat.policy.ProxySettings;
import java.io.IOException;

/** Sends each data channel its way: the kernel's maps, or the userspace relay for mixed families. */
public final class DataPaths implements DataChannelTable {
    private final DataChannelTable kernel;
    private final DataChannelTable relay;

    public DataPaths(DataChannelTable kernel, DataChannelTable relay) {
        this.kernel = kernel;
        this.relay = relay;
    }

    /**
     * The daemon's: the kernel boundary's data-channel elements, a relay for what the kernel cannot
     * translate; both read the data timeout of the policy in force.
     */
    public static DataPaths of(io.ftpnat.kernel.DataChannels kernel, java.util.function.Supplier<ProxySettings> settings) {
        return new DataPaths(new NftDataChannelTable(kernel, () -> settings.get().dataTimeout()),
                new UserspaceRelay(() -> settings.get().dataTimeout()));
    }

    @Override
    public void install(ChannelElement channel) throws IOException {
        (channel.path() == ChannelElement.Path.KERNEL ? kernel : relay).install(channel);
    }

    @Override
    public void replace(ChannelElement old, ChannelElement next) throws IOException {
        if (old.path() == next.path()) {
            (next.path() == ChannelElement.Path.KERNEL ? kernel : relay).replace(old, next);
        } else {
            remove(old);
            install(next);
        }
    }

    @Override
    public void remove(ChannelElement channel) {
        (channel.path() == ChannelElement.Path.KERNEL ? kernel : relay).remove(channel);
    }
}
