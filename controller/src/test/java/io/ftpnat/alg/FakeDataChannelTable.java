package io.ftpnat.alg;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The kernel's map elements as a set: what is installed now, and everything ever installed. */
final class FakeDataChannelTable implements DataChannelTable {
    final Set<ChannelElement> installed = new LinkedHashSet<>();
    final List<ChannelElement> history = new ArrayList<>();
    boolean fail;

    @Override
    public synchronized void install(ChannelElement channel) throws IOException {
        if (fail) {
            throw new IOException("refused (test)");
        }
        installed.add(channel);
        history.add(channel);
    }

    @Override
    public synchronized void remove(ChannelElement channel) {
        installed.remove(channel);
    }
}
