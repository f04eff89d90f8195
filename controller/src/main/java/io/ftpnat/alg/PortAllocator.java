package io.ftpnat.alg;

import io.ftpnat.policy.PortRange;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Hands out the router's data ports (the policy's {@code proxy.data_ports}), each to one channel
 * at a time. Random rather than sequential, so the next port is not a guess away (a third party
 * racing for a passive port still has to be the session's client: the kernel element is keyed by
 * the peer's address).
 */
final class PortAllocator {
    private PortRange range;
    private final RandomGenerator random;
    private final BitSet used = new BitSet();
    private int inUse;

    PortAllocator(PortRange range, RandomGenerator random) {
        this.range = range;
        this.random = random;
    }

    /**
     * Hands out ports of {@code next} from now on (a policy apply changed {@code data_ports}).
     * Ports in use stay taken until released, whichever range they came from.
     */
    synchronized void retarget(PortRange next) {
        range = next;
    }

    /** A free port other than {@code avoid} (so the translation always changes the port), or -1 when none is left. */
    synchronized int allocate(int avoid) {
        int size = range.last() - range.first() + 1;
        int start = random.nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = range.first() + (start + i) % size;
            if (port != avoid && !used.get(port)) {
                used.set(port);
                inUse++;
                return port;
            }
        }
        return -1;
    }

    synchronized void release(int port) {
        if (used.get(port)) {
            used.clear(port);
            inUse--;
        }
    }

    synchronized int inUse() {
        return inUse;
    }
}
