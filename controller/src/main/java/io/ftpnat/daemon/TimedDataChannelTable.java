package io.ftpnat.daemon;

import io.ftpnat.alg.ChannelElement;
import io.ftpnat.alg.DataChannelTable;
import java.io.IOException;

/** The ALG's data-channel table, timed and counted for the metrics: the kernel transaction is what a data channel waits on. */
final class TimedDataChannelTable implements DataChannelTable {
    private final DataChannelTable table;
    private final DaemonMetrics metrics;

    TimedDataChannelTable(DataChannelTable table, DaemonMetrics metrics) {
        this.table = table;
        this.metrics = metrics;
    }

    @Override
    public void install(ChannelElement channel) throws IOException {
        long t0 = System.nanoTime();
        try {
            table.install(channel);
        } catch (IOException | RuntimeException e) {
            metrics.channelFailed();
            throw e;
        }
        metrics.channelInstalled(channel.path() == ChannelElement.Path.RELAYED, System.nanoTime() - t0);
    }

    @Override
    public void remove(ChannelElement channel) {
        table.remove(channel);
    }

    @Override
    public void replace(ChannelElement old, ChannelElement next) throws IOException {
        long t0 = System.nanoTime();
        try {
            table.replace(old, next);
        } catch (IOException | RuntimeException e) {
            metrics.channelFailed();
            throw e;
        }
        metrics.channelInstalled(next.path() == ChannelElement.Path.RELAYED, System.nanoTime() - t0);
    }
}
